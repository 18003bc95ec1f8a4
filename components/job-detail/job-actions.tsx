"use client";
// The one-click fixes for one job, offered only when its state allows them: Retry, Cancel,
// Priority, Run now, Recover (a stale lease; or, on an offline worker, that worker's jobs through
// the same dialog as /workers). Each asks first (confirm dialog with an optional reason for the
// audit log), then shows the outcome as a toast and refreshes the page. Expected refusals (the job changed state meanwhile) are reported, not thrown.
// Operators and admins only: a viewer sees a read-only note instead (the server refuses anyway).
// Works for a job of any source: an action the source cannot do is not offered, and says why.
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { cancelJobsAction } from "@/lib/actions/cancel-jobs";
import { recoverStaleAction } from "@/lib/actions/recover-stale";
import { retryJobsAction } from "@/lib/actions/retry-jobs";
import { runNowAction } from "@/lib/actions/run-now";
import { setPriorityAction } from "@/lib/actions/set-priority";
import type { JobState } from "@/lib/queue/state-machine";
import { useCan } from "../auth/caller-context";
import { ReadOnlyNote } from "../auth/read-only-note";
import { RecoverWorkerJobs } from "../workers/recover-worker-jobs";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { useToast } from "../ui/toast";

export type Kind = "retry" | "cancel" | "priority" | "runNow" | "recover";

export interface JobActionsProps {
  /** The job's key in its source (native: the id). */
  jobKey: string;
  /** How the job is named: "#42". */
  label: string;
  /** The source (`jobdeck` = the native queue) and its library, for the dialogs' words. */
  source: string;
  library: string;
  /** Actions the source cannot do, with why. */
  unsupported?: Partial<Record<Kind, string>>;
  state: JobState;
  priority: number;
  canRetry: boolean;
  isStale: boolean;
  /** Scheduled in the future or backing off: "Run now" makes it ready. */
  runAtInFuture: boolean;
  cancelRequested: boolean;
  /** The worker holding it, when that worker is offline (its jobs can be recovered now). */
  offlineWorker: string | null;
}

interface BulkOutcome {
  affected: number;
  cancel_requested?: number;
  skipped_running?: number;
  skipped?: Partial<Record<string, number>>;
  not_found?: number;
}

function skippedState(r: BulkOutcome): string | null {
  const s = Object.entries(r.skipped ?? {}).find(([, n]) => (n ?? 0) > 0);
  return s ? s[0] : null;
}

const btn =
  "inline-flex items-center gap-1 rounded border px-2.5 py-1 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50";
const btnPrimary = `${btn} border-accent bg-accent text-accent-fg hover:opacity-90`;
const btnPlain = `${btn} border-border bg-surface text-fg hover:bg-surface-2`;
const btnDanger = `${btn} border-bad bg-surface text-bad hover:bg-bad-bg`;

export function JobActions(p: JobActionsProps) {
  const canOperate = useCan("operator");
  return canOperate ? <OperatorJobActions {...p} /> : <ReadOnlyNote />;
}

function OperatorJobActions(p: JobActionsProps) {
  const router = useRouter();
  const toast = useToast();
  const [open, setOpen] = useState<Kind | null>(null);
  const [priority, setPriority] = useState(String(p.priority));
  const priorityId = useId();
  const priorityValid = /^-?\d{1,3}$/.test(priority.trim()) && Math.abs(Number(priority)) <= 100;

  const native = p.source === "jobdeck";
  const no = p.unsupported ?? {};
  const id = p.label;
  // Only the native queue can ask a running job to stop (its workers check at each heartbeat).
  const canRetry = p.canRetry && !no.retry;
  const canCancel = !no.cancel && (p.state === "pending" || p.state === "failed" || (native && p.state === "running" && !p.cancelRequested));
  const canRunNow = !no.runNow && (p.state === "pending" || p.state === "failed");
  const canPriority = !no.priority && (p.state === "pending" || p.state === "failed");
  const canRecover = !no.recover && p.state === "running" && p.isStale;
  // Lease not expired yet, worker offline: its jobs are recovered (or force-released) as on /workers.
  const workerToRecover = native && p.state === "running" && !p.isStale ? p.offlineWorker : null;
  const available = canRetry || canCancel || canRunNow || canPriority || canRecover || workerToRecover != null;
  const missing = Object.entries(no).filter(([, why]) => why) as [Kind, string][];

  function done(title: string, detail?: string) {
    toast.success(title, detail);
    setOpen(null);
    router.refresh();
  }
  function refused(title: string, detail?: string) {
    toast.show({ tone: "info", title, detail, durationMs: 10_000 });
    setOpen(null);
    router.refresh();
  }
  function failed(what: string, error: string) {
    // The dialog shows the error too (it stays open); the toast keeps it after the dialog closes.
    toast.error(`Could not ${what} job ${id}`, error);
    throw new Error(error);
  }

  async function run(kind: Kind, reason: string) {
    const target = { source: p.source, keys: [p.jobKey] };
    const r = reason || undefined;
    switch (kind) {
      case "retry": {
        const res = await retryJobsAction({ ...target, reason: r });
        if (!res.ok) return failed("retry", res.error);
        const o = res.result;
        if (o.affected > 0) return done(`Retried job ${id}`, native ? "It is pending again and runs when a worker is free." : `${p.library} runs it again when a worker fetches it.`);
        return refused(`Job ${id} was not retried`, o.skipped_running ? "It is running; running jobs are never retried." : `It is ${skippedState(o) ?? "gone"} now.`);
      }
      case "cancel": {
        const res = await cancelJobsAction({ ...target, reason: r });
        if (!res.ok) return failed("cancel", res.error);
        const o = res.result;
        if (o.affected > 0) return done(`Cancelled job ${id}`);
        if (o.cancel_requested > 0) return done(`Cancel requested for job ${id}`, "Its worker stops it at its next heartbeat.");
        return refused(`Job ${id} was not cancelled`, `It is ${skippedState(o) ?? "gone"} now.`);
      }
      case "priority": {
        const value = Number(priority);
        const res = await setPriorityAction({ ...target, priority: value, reason: r });
        if (!res.ok) return failed("change the priority of", res.error);
        const o = res.result;
        if (o.affected > 0) return done(`Priority of job ${id} set to ${value}`);
        return refused(`Priority of job ${id} unchanged`, `It is ${skippedState(o) ?? "gone"} now; only waiting jobs change priority.`);
      }
      case "runNow": {
        const res = await runNowAction({ ...target, reason: r });
        if (!res.ok) return failed("run now", res.error);
        const o = res.result;
        if (o.affected > 0) return done(`Job ${id} is ready to run now`);
        return refused(`Job ${id} was not moved`, `It is ${skippedState(o) ?? "gone"} now.`);
      }
      case "recover": {
        const res = await recoverStaleAction({ ...target, reason: r });
        if (!res.ok) return failed("recover", res.error);
        const o = res.result;
        if (o.recovered > 0) {
          const parts = Object.entries(o.by_state).filter(([, n]) => n > 0).map(([s, n]) => `${n.toLocaleString("en-US")} ${s}`);
          return done(`Recovered job ${id}`, parts.join(", "));
        }
        return refused(`Job ${id} was not recovered`, o.skipped[0]?.reason ?? "Nothing was stale any more.");
      }
    }
  }

  const dialogs: Record<Kind, { title: string; message: string; confirm: string; tone?: "danger" }> = {
    retry: {
      title: `Retry job ${id}`,
      message: `Job ${id} goes back to pending with a fresh attempt count; its history and last error stay.`,
      confirm: "Retry job",
    },
    cancel: {
      title: `Cancel job ${id}`,
      message:
        p.state === "running"
          ? `Job ${id} is running: its worker is asked to stop it at its next heartbeat.`
          : `Job ${id} will not run. You can retry it later.`,
      confirm: p.state === "running" ? "Request cancel" : "Cancel job",
      tone: "danger",
    },
    priority: {
      title: `Change priority of job ${id}`,
      message: "Higher runs first (from -100 to 100). Only waiting jobs change priority.",
      confirm: "Set priority",
    },
    runNow: {
      title: `Run job ${id} now`,
      message: `Job ${id} becomes ready at once instead of waiting for its scheduled time or backoff.`,
      confirm: "Run now",
    },
    recover: {
      title: `Recover job ${id}`,
      message: native
        ? `The lease of job ${id} expired. It goes back to pending (dead when no attempts remain; cancelled when a cancel was requested), and the lost attempt stays in the history.`
        : `The lock of job ${id} expired. ${p.library} takes it back as it would itself (it runs again, or fails when no attempts remain).`,
      confirm: "Recover job",
      tone: "danger",
    },
  };

  const why = missing.length ? (
    <p className="basis-full text-xs text-muted" data-testid="actions-unsupported">
      {missing.map(([k, reason]) => `${dialogs[k].confirm}: ${reason}`).join(" · ")}
    </p>
  ) : null;
  if (!available) {
    return (
      <div className="flex flex-col gap-1">
        <p className="text-sm text-muted">No action applies to a {p.state} job{missing.length ? " on this source" : ""}.</p>
        {why}
      </div>
    );
  }
  const d = open ? dialogs[open] : null;
  return (
    <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Job actions">
      {canRetry ? (
        <button type="button" className={btnPrimary} onClick={() => setOpen("retry")}>↻ Retry</button>
      ) : null}
      {canRecover ? (
        <button type="button" className={btnPrimary} onClick={() => setOpen("recover")}>⟲ Recover stale</button>
      ) : null}
      {workerToRecover ? <RecoverWorkerJobs workerId={workerToRecover} label="Recover worker's jobs" /> : null}
      {canRunNow ? (
        <button type="button" className={btnPlain} onClick={() => setOpen("runNow")} disabled={!p.runAtInFuture}
          title={p.runAtInFuture ? undefined : "It is already due; it runs when a worker is free"}>
          ▶ Run now
        </button>
      ) : null}
      {canPriority ? (
        <button type="button" className={btnPlain} onClick={() => { setPriority(String(Math.max(-100, Math.min(100, p.priority)))); setOpen("priority"); }}>
          ⇅ Priority
        </button>
      ) : null}
      {canCancel ? (
        <button type="button" className={btnDanger} onClick={() => setOpen("cancel")}>✕ Cancel</button>
      ) : null}
      <ConfirmDialog
        open={open != null}
        title={d?.title ?? ""}
        message={d?.message ?? ""}
        confirmLabel={d?.confirm}
        tone={d?.tone ?? "primary"}
        askReason
        confirmDisabled={open === "priority" && !priorityValid}
        onConfirm={(reason) => (open ? run(open, reason) : undefined)}
        onCancel={() => setOpen(null)}
      >
        {open === "priority" ? (
          <div className="flex flex-col gap-1">
            <label htmlFor={priorityId} className="text-xs font-medium text-muted">New priority</label>
            <input
              id={priorityId}
              type="number"
              min={-100}
              max={100}
              step={1}
              value={priority}
              onChange={(e) => setPriority(e.target.value)}
              aria-invalid={!priorityValid}
              className="w-32 rounded border border-border bg-bg px-2 py-1 text-sm tabular"
            />
            {!priorityValid ? <p className="text-xs text-bad">A whole number from -100 to 100.</p> : null}
          </div>
        ) : null}
      </ConfirmDialog>
      {why}
    </div>
  );
}
