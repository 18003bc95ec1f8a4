"use client";
// "Recover its jobs" for an offline worker that still holds running jobs. The dialog first asks
// the server what it holds now: jobs whose lease expired are recovered (back to pending, dead
// when no attempts remain, cancelled when a cancel was requested); jobs still leased wait for
// their lease, since a worker that is only paused (GC, network) may still be running them. Those
// can be released now only through a second dialog that warns they could run twice (audited as
// forced). Toasts the outcome and refreshes. Operators and admins only: for a viewer it renders
// nothing (the server refuses anyway). Used on /workers and on a job's page.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { previewWorkerRecoveryAction } from "@/lib/actions/preview-worker-recovery";
import { recoverStaleAction } from "@/lib/actions/recover-stale";
import type { WorkerLeaseSummary } from "@/lib/queries/workers";
import { formatCount } from "../format";
import { useCan } from "../auth/caller-context";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { RelativeTime } from "../ui/relative-time";
import { useToast } from "../ui/toast";
import { recoveredSummary } from "../stale/recovered-summary";

const jobs = (n: number, what = "job") => `${formatCount(n)} ${what}${n === 1 ? "" : "s"}`;

/** `count`: the running jobs the page saw (for the button's accessible name); the dialog asks the server anyway. */
export function RecoverWorkerJobs(props: { workerId: string; count?: number; label?: string }) {
  return useCan("operator") ? <RecoverWorkerJobsButton {...props} /> : null;
}

function RecoverWorkerJobsButton({ workerId, count, label = "Recover its jobs" }: { workerId: string; count?: number; label?: string }) {
  const router = useRouter();
  const toast = useToast();
  const [stage, setStage] = useState<"recover" | "force" | null>(null);
  const [summary, setSummary] = useState<WorkerLeaseSummary | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);

  async function open() {
    setSummary(null);
    setPreviewError(null);
    setStage("recover");
    const res = await previewWorkerRecoveryAction({ workerId });
    if (res.ok) setSummary(res.summary);
    else setPreviewError(res.error);
  }

  async function run(force: boolean, reason: string) {
    const res = await recoverStaleAction({ workerId, force, reason: reason || undefined });
    if (!res.ok) {
      toast.error(`Could not recover the jobs of ${workerId}`, res.error);
      throw new Error(res.error);
    }
    const r = res.result;
    const left = r.still_leased && r.still_leased.count > 0 ? `${jobs(r.still_leased.count)} still leased; recover them once their leases expire.` : undefined;
    if (r.recovered > 0) toast.success(`${recoveredSummary(r.recovered, r.by_state)}${force ? " (forced)" : ""}`, left);
    else toast.info("Nothing to recover", left ?? "The worker no longer holds running jobs.");
    setStage(null);
    router.refresh();
  }

  const s = summary;
  const leases = s && s.leased > 0 ? (
    <p data-testid="recover-still-leased">
      <strong className="tabular">{jobs(s.leased)}</strong> still leased: the soonest lease expires <RelativeTime date={s.soonest_expiry} />
      {s.leased > 1 ? <>, the last <RelativeTime date={s.last_expiry} /></> : null}. {s.leased === 1 ? "It is" : "They are"} left alone: the
      worker may only be paused and still be running {s.leased === 1 ? "it" : "them"}. Recover again once the leases expire (a worker&apos;s
      sweep also picks {s.leased === 1 ? "it" : "them"} up then).
    </p>
  ) : null;

  return (
    <>
      <button
        type="button"
        onClick={() => void open()}
        className="whitespace-nowrap rounded border border-bad bg-surface px-2 py-0.5 text-xs font-semibold text-bad hover:bg-bad-bg"
        aria-label={`Recover the ${count === undefined ? "running jobs" : jobs(count, "running job")} of worker ${workerId}`}
      >
        ⟲ {label}
      </button>
      <ConfirmDialog
        open={stage === "recover"}
        title="Recover the jobs of an offline worker"
        message={
          previewError ? (
            <p role="alert" className="text-bad">Could not check the worker: {previewError}</p>
          ) : s == null ? (
            <p className="text-muted">Checking the leases of {workerId}…</p>
          ) : (
            <div className="flex flex-col gap-1.5" data-testid="recover-preview">
              <p>
                <span className="break-all font-mono">{workerId}</span> holds <strong className="tabular">{jobs(s.running, "running job")}</strong>
                {s.online ? " and is online again: its jobs are not stale." : <>; its last heartbeat was <strong className="tabular">{formatCount(Math.round(s.heartbeat_age_seconds))} s</strong> ago.</>}
              </p>
              <p>
                Recover <strong className="tabular">{jobs(s.expired)}</strong> whose lease expired: back to pending (dead when no attempts remain,
                cancelled when a cancel was requested); each lost attempt stays in the history.
              </p>
              {leases}
            </div>
          )
        }
        confirmLabel={s && s.expired > 0 ? `Recover ${jobs(s.expired)}` : "No lease has expired yet"}
        confirmDisabled={s == null || s.online || s.expired === 0}
        tone="danger"
        askReason
        onConfirm={(reason) => run(false, reason)}
        onCancel={() => setStage(null)}
      >
        {s && !s.online && s.leased > 0 ? (
          <button
            type="button"
            onClick={() => setStage("force")}
            className="self-start rounded border border-bad bg-surface px-2 py-1 text-xs font-semibold text-bad hover:bg-bad-bg"
          >
            Force-release the {jobs(s.leased)} still leased…
          </button>
        ) : null}
      </ConfirmDialog>
      <ConfirmDialog
        open={stage === "force"}
        title="Force-release live leases"
        message={
          s ? (
            <div className="flex flex-col gap-1.5" data-testid="recover-force-warning">
              <p role="alert" className="rounded border border-bad bg-bad-bg px-2 py-1 font-semibold text-bad">
                <span aria-hidden="true">▲ </span>The worker may still be running these; they could run twice.
              </p>
              <p>
                The leases of <strong className="tabular">{jobs(s.leased)}</strong> held by <span className="break-all font-mono">{workerId}</span> have
                not expired (the last ends <RelativeTime date={s.last_expiry} />). If the worker is only paused it finishes them anyway, and
                another worker runs them again. Release them now only if you know it is gone (host down, process killed).
              </p>
              <p>
                All <strong className="tabular">{jobs(s.expired + s.leased)}</strong> go back to pending now. The audit log records this as forced.
              </p>
            </div>
          ) : null
        }
        confirmLabel={s ? `Force-release ${jobs(s.expired + s.leased)}` : "Force-release"}
        confirmDisabled={s == null}
        tone="danger"
        askReason
        onConfirm={(reason) => run(true, reason)}
        onCancel={() => setStage(null)}
      />
    </>
  );
}
