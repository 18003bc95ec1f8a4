"use client";
// "Recover its jobs" for an offline worker that still holds running jobs: confirm (with the
// count and an optional reason), recover every running job it holds, toast the outcome, refresh.
// Operators and admins only: for a viewer it renders nothing (the server refuses anyway).
import { useRouter } from "next/navigation";
import { useState } from "react";
import { recoverStaleAction } from "@/lib/actions/recover-stale";
import { formatCount } from "../format";
import { useCan } from "../auth/caller-context";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { useToast } from "../ui/toast";
import { recoveredSummary } from "../stale/recovered-summary";

export function RecoverWorkerJobs(props: { workerId: string; count: number }) {
  return useCan("operator") ? <RecoverWorkerJobsButton {...props} /> : null;
}

function RecoverWorkerJobsButton({ workerId, count }: { workerId: string; count: number }) {
  const router = useRouter();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const jobs = `${formatCount(count)} running job${count === 1 ? "" : "s"}`;
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="whitespace-nowrap rounded border border-bad bg-surface px-2 py-0.5 text-xs font-semibold text-bad hover:bg-bad-bg"
        aria-label={`Recover the ${jobs} of worker ${workerId}`}
      >
        ⟲ Recover its jobs
      </button>
      <ConfirmDialog
        open={open}
        title="Recover the jobs of an offline worker"
        message={
          <>
            <p>
              Recover <strong>{jobs}</strong> held by <span className="break-all font-mono">{workerId}</span>?
            </p>
            <p className="mt-1 text-muted">
              The worker stopped heartbeating. Its jobs go back to pending (dead when no attempts remain, cancelled when a
              cancel was requested); each lost attempt stays in the history. If the worker comes back, this is refused.
            </p>
          </>
        }
        confirmLabel={`Recover ${jobs}`}
        tone="danger"
        askReason
        onConfirm={async (reason) => {
          const res = await recoverStaleAction({ workerId, reason: reason || undefined });
          if (!res.ok) {
            toast.error(`Could not recover the jobs of ${workerId}`, res.error);
            throw new Error(res.error);
          }
          const r = res.result;
          if (r.recovered > 0) toast.success(recoveredSummary(r.recovered, r.by_state));
          else toast.info("Nothing to recover", "The worker no longer holds running jobs.");
          setOpen(false);
          router.refresh();
        }}
        onCancel={() => setOpen(false)}
      />
    </>
  );
}
