"use client";
// "Terminate" for a RUNNING Celery task: a revoke with terminate, so the task's pool process gets
// the chosen signal and the worker reports it REVOKED. The dialog says exactly that (and what the
// signals mean) and asks for an optional reason; the toast says what the worker answered. For
// operators and admins only: a viewer sees nothing here (the server refuses anyway).
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { terminateCeleryTaskAction } from "@/lib/actions/terminate-celery-task";
import { useCan } from "../auth/caller-context";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { useToast } from "../ui/toast";

const SIGNALS = {
  SIGTERM: "SIGTERM: the process may clean up first (default)",
  SIGKILL: "SIGKILL: the process ends at once, cleaning up nothing",
} as const;
type Signal = keyof typeof SIGNALS;

export function TerminateTask(props: { source: string; taskKey: string; label: string; worker: string | null }) {
  return useCan("operator") ? <TerminateButton {...props} /> : null;
}

function TerminateButton({ source, taskKey, label, worker }: { source: string; taskKey: string; label: string; worker: string | null }) {
  const router = useRouter();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [signal, setSignal] = useState<Signal>("SIGTERM");
  const signalId = useId();

  async function run(reason: string) {
    const res = await terminateCeleryTaskAction({ source, key: taskKey, signal, reason: reason || undefined });
    if (!res.ok) {
      toast.error(`Could not terminate task ${label}`, res.error);
      throw new Error(res.error);
    }
    const r = res.result;
    if (r.acknowledged) toast.success(`Sent ${signal} to task ${label}`, `${r.message}. The worker reports it REVOKED once the process is gone.`);
    else toast.show({ tone: "info", title: `Task ${label}: nobody acknowledged the terminate`, detail: r.message, durationMs: 10_000 });
    setOpen(false);
    router.refresh();
  }

  return (
    <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Celery operations">
      <button
        type="button"
        onClick={() => {
          setSignal("SIGTERM");
          setOpen(true);
        }}
        className="inline-flex items-center gap-1 rounded border border-bad bg-surface px-2.5 py-1 text-sm font-medium text-bad hover:bg-bad-bg"
      >
        <span aria-hidden="true">■</span> Terminate
      </button>
      <span className="text-xs text-muted">A revoke does not stop a running task; terminate signals its process.</span>
      <ConfirmDialog
        open={open}
        title={`Terminate task ${label}`}
        message={
          <>
            The task&apos;s process{worker ? <> on <span className="font-mono">{worker}</span></> : null} gets <strong>{signal}</strong>; the worker reports it
            REVOKED. What it did so far is not undone, and Celery does not run it again (retry it afterwards if it should run).
          </>
        }
        confirmLabel={`Send ${signal}`}
        tone="danger"
        askReason
        onConfirm={run}
        onCancel={() => setOpen(false)}
      >
        <div className="flex flex-col gap-1">
          <label htmlFor={signalId} className="text-xs font-medium text-muted">Signal</label>
          <select id={signalId} value={signal} onChange={(e) => setSignal(e.target.value as Signal)} className="w-full rounded border border-border bg-bg px-2 py-1 text-sm">
            {(Object.keys(SIGNALS) as Signal[]).map((s) => (
              <option key={s} value={s}>{SIGNALS[s]}</option>
            ))}
          </select>
        </div>
      </ConfirmDialog>
    </div>
  );
}
