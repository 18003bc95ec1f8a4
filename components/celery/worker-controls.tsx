"use client";
// Celery's remote control for one worker on the workers page: a task name's rate limit
// (operators), growing or shrinking its pool and shutting it down (admins). Each asks first (the
// shutdown in red, saying what it does), then toasts what the worker answered ("pool will
// grow", or that nobody replied) and refreshes. A viewer sees nothing here; the server decides.
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { resizeCeleryPoolAction } from "@/lib/actions/resize-celery-pool";
import { setCeleryRateLimitAction } from "@/lib/actions/set-celery-rate-limit";
import { shutdownCeleryWorkerAction } from "@/lib/actions/shutdown-celery-worker";
import { useCan } from "../auth/caller-context";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { useToast } from "../ui/toast";

type Kind = "rate" | "grow" | "shrink" | "shutdown";
const RATE = /^\d{1,9}(\.\d{1,6})?(\/[smh])?$/;
const btn = "whitespace-nowrap rounded border px-2 py-0.5 text-xs font-semibold";
const input = "w-full rounded border border-border bg-bg px-2 py-1 text-sm";

type Outcome = { ok: true; result: { acknowledged: boolean; message: string } } | { ok: false; error: string };

export function CeleryWorkerControls(props: { source: string; hostname: string }) {
  const operator = useCan("operator");
  const admin = useCan("admin");
  return operator ? <Controls {...props} admin={admin} /> : null;
}

function Controls({ source, hostname, admin }: { source: string; hostname: string; admin: boolean }) {
  const router = useRouter();
  const toast = useToast();
  const [open, setOpen] = useState<Kind | null>(null);
  const [taskName, setTaskName] = useState("");
  const [rate, setRate] = useState("");
  const [n, setN] = useState("1");
  const ids = { task: useId(), rate: useId(), n: useId() };
  const nValid = /^\d{1,2}$/.test(n) && Number(n) >= 1 && Number(n) <= 64;
  const rateValid = taskName.trim() !== "" && !/\s/.test(taskName.trim()) && RATE.test(rate.trim());

  function report(what: string, res: Outcome) {
    if (!res.ok) {
      toast.error(`Could not ${what} on ${hostname}`, res.error);
      throw new Error(res.error);
    }
    if (res.result.acknowledged) toast.success(`${what[0].toUpperCase()}${what.slice(1)}: sent to ${hostname}`, res.result.message);
    else toast.show({ tone: "info", title: `${hostname} did not acknowledge`, detail: res.result.message, durationMs: 10_000 });
    setOpen(null);
    router.refresh();
  }

  async function run(kind: Kind, reason: string) {
    const r = reason || undefined;
    if (kind === "rate") return report("set the rate limit", await setCeleryRateLimitAction({ source, worker: hostname, taskName: taskName.trim(), rate: rate.trim(), reason: r }));
    if (kind === "shutdown") return report("shut down", await shutdownCeleryWorkerAction({ source, worker: hostname, reason: r }));
    return report(`${kind} the pool`, await resizeCeleryPoolAction({ source, worker: hostname, direction: kind, n: Number(n), reason: r }));
  }

  const dialogs: Record<Kind, { title: string; message: string; confirm: string; tone?: "danger" }> = {
    rate: {
      title: `Rate limit on ${hostname}`,
      message: "The worker runs at most this many tasks of that name: per second (10), minute (10/m) or hour (100/h). 0 removes the limit. It lasts until the worker restarts.",
      confirm: "Set rate limit",
    },
    grow: { title: `Grow the pool of ${hostname}`, message: "The worker starts this many more pool processes (and prefetches more tasks).", confirm: "Grow pool" },
    shrink: { title: `Shrink the pool of ${hostname}`, message: "The worker stops this many pool processes once they are idle.", confirm: "Shrink pool" },
    shutdown: {
      title: `Shut down ${hostname}`,
      message: "The worker stops taking tasks, waits for the ones it is running, and exits. Celery sends no reply: the worker's offline event confirms it. Something outside Jobdeck must start it again.",
      confirm: "Shut down worker",
      tone: "danger",
    },
  };
  const d = open ? dialogs[open] : null;
  return (
    <div className="flex flex-wrap gap-1" role="group" aria-label={`Remote control of ${hostname}`}>
      <button type="button" className={`${btn} border-border bg-surface hover:bg-surface-2`} aria-label={`Rate limit on ${hostname}`} onClick={() => setOpen("rate")}>Rate limit</button>
      {admin ? (
        <>
          <button type="button" className={`${btn} border-border bg-surface hover:bg-surface-2`} aria-label={`Grow pool of ${hostname}`} onClick={() => { setN("1"); setOpen("grow"); }}>Grow pool</button>
          <button type="button" className={`${btn} border-border bg-surface hover:bg-surface-2`} aria-label={`Shrink pool of ${hostname}`} onClick={() => { setN("1"); setOpen("shrink"); }}>Shrink pool</button>
          <button type="button" className={`${btn} border-bad bg-surface text-bad hover:bg-bad-bg`} aria-label={`Shut down ${hostname}`} onClick={() => setOpen("shutdown")}>Shut down</button>
        </>
      ) : null}
      <ConfirmDialog
        open={open !== null}
        title={d?.title ?? ""}
        message={d?.message ?? ""}
        confirmLabel={d?.confirm}
        tone={d?.tone ?? "primary"}
        askReason
        confirmDisabled={(open === "rate" && !rateValid) || ((open === "grow" || open === "shrink") && !nValid)}
        onConfirm={(reason) => (open ? run(open, reason) : undefined)}
        onCancel={() => setOpen(null)}
      >
        {open === "rate" ? (
          <div className="grid gap-2 sm:grid-cols-2">
            <div className="flex flex-col gap-1">
              <label htmlFor={ids.task} className="text-xs font-medium text-muted">Task name</label>
              <input id={ids.task} value={taskName} onChange={(e) => setTaskName(e.target.value)} placeholder="proj.tasks.send_email" className={`${input} font-mono`} autoComplete="off" />
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor={ids.rate} className="text-xs font-medium text-muted">Rate</label>
              <input id={ids.rate} value={rate} onChange={(e) => setRate(e.target.value)} placeholder="10/m" className={`${input} font-mono`} autoComplete="off" aria-invalid={rate !== "" && !RATE.test(rate.trim())} />
            </div>
            {rate !== "" && !RATE.test(rate.trim()) ? <p className="text-xs text-bad sm:col-span-2">A number of tasks, optionally per s, m or h: 10, 10/s, 100/m, 1000/h.</p> : null}
          </div>
        ) : open === "grow" || open === "shrink" ? (
          <div className="flex flex-col gap-1">
            <label htmlFor={ids.n} className="text-xs font-medium text-muted">Processes</label>
            <input id={ids.n} type="number" min={1} max={64} step={1} value={n} onChange={(e) => setN(e.target.value)} aria-invalid={!nValid} className="w-32 rounded border border-border bg-bg px-2 py-1 text-sm tabular" />
            {!nValid ? <p className="text-xs text-bad">A whole number from 1 to 64.</p> : null}
          </div>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
