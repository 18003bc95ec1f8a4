"use client";
// The bar shown while jobs are selected: Retry / Cancel / Priority / Run now on the selected ids
// or on everything matching the filter. Each action first asks the server for a preview (how
// many jobs it will change and skip, by state), shows it in the confirm dialog with an optional
// reason, then runs (in audited batches of 1,000 on the server), toasts the outcome and refreshes
// the list. More jobs at once than JOBDECK_BULK_CONFIRM_THRESHOLD need an admin: the preview says
// so (allowed: false) and the dialog explains it with the confirm button disabled. Works on any
// source; an action the source cannot do is not offered, and the bar says why.
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type ReactNode, useEffect, useId, useState } from "react";
import { cancelJobsAction } from "@/lib/actions/cancel-jobs";
import { previewBulkAction } from "@/lib/actions/preview-bulk";
import { retryJobsAction } from "@/lib/actions/retry-jobs";
import { runNowAction } from "@/lib/actions/run-now";
import { setPriorityAction } from "@/lib/actions/set-priority";
import type { BulkAction, BulkApplyResult, BulkPreview } from "@/lib/operations/bulk";
import { NeedsAdminNote } from "../auth/needs-admin-note";
import { ConfirmDialog, Spinner } from "../ui/confirm-dialog";
import { useToast } from "../ui/toast";
import { formatCount } from "../format";
import { describeStates, jobsCount } from "./format-jobs";

/** What the bulk action goes by: selected job keys, or the page's filter as a query string. */
export type BulkTarget = { keys: string[]; filter?: undefined } | { filter: string; keys?: undefined };

/** Actions the source cannot do, with the sentence that says why (lib/sources capabilities). */
export type UnsupportedActions = Partial<Record<BulkAction, string>>;

type ActionFailure = { ok: false; error: string; fieldErrors?: Record<string, string[]> };
type ActionResult<T> = ({ ok: true } & T) | ActionFailure;
type Runner = (input: Record<string, unknown>) => Promise<ActionResult<{ result: BulkApplyResult }>>;

const RUNNERS: Record<BulkAction, Runner> = {
  retry: retryJobsAction as Runner,
  cancel: cancelJobsAction as Runner,
  setPriority: setPriorityAction as Runner,
  runNow: runNowAction as Runner,
};
const preview = previewBulkAction as (
  input: Record<string, unknown>,
) => Promise<ActionResult<{ preview: BulkPreview; allowed: boolean; threshold: number; count: number }>>;

const TITLES: Record<BulkAction, string> = {
  retry: "Retry jobs",
  cancel: "Cancel jobs",
  setPriority: "Change priority",
  runNow: "Run jobs now",
};
const VERBS: Record<BulkAction, { ing: string; button: string }> = {
  retry: { ing: "Retrying", button: "Retry" },
  cancel: { ing: "Cancelling", button: "Cancel" },
  setPriority: { ing: "Changing the priority of", button: "Set priority of" },
  runNow: { ing: "Making ready", button: "Run now" },
};

function skippedText(p: { skip_by_state: Partial<Record<string, number>> } | { skipped: Partial<Record<string, number>> }) {
  return describeStates("skip_by_state" in p ? p.skip_by_state : p.skipped);
}

/** "Retry 1,204 jobs? 3 running jobs will be skipped." */
function previewMessage(action: BulkAction, p: BulkPreview, priority: string): string {
  const n = p.will_change;
  const parts: string[] = [];
  if (n === 0 && p.will_request_cancel === 0) {
    parts.push(`Nothing to ${action === "retry" ? "retry" : action === "cancel" ? "cancel" : action === "runNow" ? "run now" : "change"}: none of the ${jobsCount(p.matched)} is in a state this action applies to.`);
  } else if (action === "retry") parts.push(`Retry ${jobsCount(n)}?`);
  else if (action === "cancel") parts.push(n ? `Cancel ${jobsCount(n)}?` : "Cancel running jobs?");
  else if (action === "setPriority") parts.push(`Set the priority of ${jobsCount(n)} to ${priority.trim() === "" ? "…" : priority.trim()}?`);
  else parts.push(`Make ${jobsCount(n)} ready to run now?`);
  if (p.will_request_cancel) parts.push(`${jobsCount(p.will_request_cancel, "running job")} will be asked to stop.`);
  if (p.skipped_running) {
    parts.push(`${jobsCount(p.skipped_running, "running job")} will be skipped${action === "retry" ? " (running jobs are never retried)" : ""}.`);
  }
  const otherSkips = { ...p.skip_by_state, running: 0 };
  const other = describeStates(otherSkips);
  if (other) parts.push(`Also skipped: ${other}.`);
  if (p.not_found) parts.push(`${jobsCount(p.not_found)} no longer exist.`);
  return parts.join(" ");
}

/** "Retried 1,204 jobs; skipped 3 running" */
function outcomeTitle(action: BulkAction, r: BulkApplyResult, priority: string): string {
  const done =
    action === "retry"
      ? `Retried ${jobsCount(r.affected)}`
      : action === "cancel"
        ? `Cancelled ${jobsCount(r.affected)}${r.cancel_requested ? `; asked ${formatCount(r.cancel_requested)} running to stop` : ""}`
        : action === "setPriority"
          ? `Set priority ${priority.trim()} on ${jobsCount(r.affected)}`
          : `Made ${jobsCount(r.affected)} ready to run now`;
  const skipped = skippedText(r);
  return skipped ? `${done}; skipped ${skipped}` : done;
}

function outcomeDetail(r: BulkApplyResult, reason: string): string | undefined {
  const bits: string[] = [];
  if (r.not_found) bits.push(`${jobsCount(r.not_found)} no longer existed`);
  if (r.batches > 1) bits.push(`${formatCount(r.batches)} batches`);
  if (reason) bits.push(`reason: ${reason}`);
  return bits.length ? bits.join(" · ") : undefined;
}

type PreviewState =
  | { status: "loading" }
  | { status: "ready"; preview: BulkPreview; allowed: boolean; threshold: number; count: number }
  | { status: "error"; error: string };

export function BulkActions({
  source,
  target,
  unsupported = {},
  selectedLabel,
  onClear,
  onDone,
}: {
  /** The source the jobs belong to (`jobdeck` = the native queue). */
  source: string;
  target: BulkTarget;
  unsupported?: UnsupportedActions;
  /** "3 jobs selected" / "All 1,204 jobs matching this filter" */
  selectedLabel: string;
  onClear: () => void;
  /** After an action ran (successfully): clear the selection. */
  onDone: () => void;
}) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [action, setAction] = useState<BulkAction | null>(null);
  const [pv, setPv] = useState<PreviewState>({ status: "loading" });
  const [priority, setPriority] = useState("0");
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const priorityId = useId();

  const targetInput = { source, ...(target.keys ? { keys: target.keys } : { filter: target.filter }) };
  const missing = Object.entries(unsupported).filter(([, why]) => why) as [BulkAction, string][];

  async function open(a: BulkAction) {
    setAction(a);
    setPv({ status: "loading" });
    try {
      const res = await preview({ action: a, ...targetInput });
      setPv(
        res.ok
          ? { status: "ready", preview: res.preview, allowed: res.allowed !== false, threshold: res.threshold, count: res.count }
          : { status: "error", error: res.error },
      );
    } catch {
      setPv({ status: "error", error: "Could not reach the server to count the jobs. Check the connection and try again." });
    }
  }

  async function run(reason: string) {
    if (!action) return;
    setStartedAt(Date.now());
    try {
      const input: Record<string, unknown> = { ...targetInput, reason: reason || undefined };
      if (action === "setPriority") input.priority = priority;
      let res: ActionResult<{ result: BulkApplyResult }>;
      try {
        res = await RUNNERS[action](input);
      } catch {
        throw new Error("The server did not answer. Some batches may have run; the list shows the current state.");
      }
      if (!res.ok) {
        const fields = res.fieldErrors ? Object.values(res.fieldErrors).flat() : [];
        throw new Error(fields.length && !res.error.includes(fields[0]) ? `${res.error} (${fields.join("; ")})` : res.error);
      }
      const r = res.result;
      toast.show({ tone: r.affected + r.cancel_requested > 0 ? "success" : "info", title: outcomeTitle(action, r, priority), detail: outcomeDetail(r, reason), durationMs: 10_000 });
      setAction(null);
      onDone();
    } finally {
      setStartedAt(null);
      await queryClient.invalidateQueries({ queryKey: ["jobs"] });
      router.refresh();
    }
  }

  const p = pv.status === "ready" ? pv.preview : null;
  const nothing = p != null && p.will_change === 0 && p.will_request_cancel === 0;
  const priorityValid = /^-?\d+$/.test(priority.trim()) && Math.abs(Number(priority)) <= 100;
  const touching = p ? p.will_change + p.will_request_cancel : 0;
  // The count the server's limit goes by (bulkLimitCount): the ids sent, or the jobs the filter would change.
  const limited = pv.status === "ready" && !pv.allowed ? { count: pv.count, threshold: pv.threshold } : null;

  return (
    <div
      role="region"
      aria-label="Bulk actions"
      data-testid="bulk-bar"
      className="sticky bottom-2 z-30 flex flex-wrap items-center gap-2 rounded-md border border-accent bg-surface px-3 py-2 shadow-lg"
    >
      <p className="text-sm font-medium" aria-live="polite" data-testid="selection-label">{selectedLabel}</p>
      <div className="flex flex-wrap gap-1.5">
        {unsupported.retry ? null : <BarButton onClick={() => void open("retry")}>↻ Retry</BarButton>}
        {unsupported.cancel ? null : <BarButton onClick={() => void open("cancel")}>✕ Cancel</BarButton>}
        {unsupported.setPriority ? null : <BarButton onClick={() => void open("setPriority")}>⇅ Priority…</BarButton>}
        {unsupported.runNow ? null : <BarButton onClick={() => void open("runNow")}>▶ Run now</BarButton>}
      </div>
      {missing.length ? (
        <p className="basis-full text-xs text-muted" data-testid="bulk-unsupported">
          {missing.map(([a, why]) => `${TITLES[a].replace(" jobs", "")}: ${why}`).join(" · ")}
        </p>
      ) : null}
      <button type="button" onClick={onClear} className="ml-auto rounded px-2 py-1 text-sm text-muted underline hover:text-fg">
        Clear selection
      </button>

      <ConfirmDialog
        open={action != null}
        title={action ? TITLES[action] : ""}
        tone={action === "cancel" ? "danger" : "primary"}
        askReason
        message={
          pv.status === "loading" ? (
            <span className="inline-flex items-center gap-2 text-muted" data-testid="bulk-preview">
              <Spinner /> Counting the jobs this will touch…
            </span>
          ) : pv.status === "error" ? (
            <span className="text-bad" data-testid="bulk-preview">Could not preview: {pv.error}</span>
          ) : (
            <>
              <span data-testid="bulk-preview">{previewMessage(action ?? "retry", pv.preview, priority)}</span>
              {limited ? (
                <NeedsAdminNote count={limited.count} threshold={limited.threshold} hint="narrow the filter or set a limit" testId="bulk-needs-admin" />
              ) : null}
            </>
          )
        }
        confirmLabel={
          action == null || p == null
            ? "Confirm"
            : limited
              ? "Needs an admin"
            : nothing
              ? "Nothing to do"
            : action === "cancel" && p.will_change === 0
              ? `Stop ${jobsCount(p.will_request_cancel)}`
              : `${VERBS[action].button} ${jobsCount(touching)}`
        }
        busyLabel={action && p ? `${VERBS[action].ing} ${jobsCount(touching)}…` : "Working…"}
        confirmDisabled={pv.status !== "ready" || nothing || limited != null || (action === "setPriority" && !priorityValid)}
        onConfirm={run}
        onCancel={() => setAction(null)}
      >
        {action === "setPriority" ? (
          <div className="flex flex-col gap-1">
            <label htmlFor={priorityId} className="text-xs font-medium text-muted">New priority (−100 to 100; higher runs first)</label>
            <input
              id={priorityId}
              type="number"
              min={-100}
              max={100}
              step={1}
              value={priority}
              onChange={(e) => setPriority(e.target.value)}
              disabled={startedAt != null}
              aria-invalid={!priorityValid || undefined}
              className="h-8 w-32 rounded border border-border bg-bg px-2 text-sm tabular"
            />
          </div>
        ) : null}
        {p && p.matched > 0 ? (
          <p className="text-xs text-muted">
            {Object.keys(p.by_state).length ? <>{target.filter != null ? "All jobs matching this filter" : "Selected jobs"} by state: {describeStates(p.by_state)}.</> : null}
            {touching > 1_000 ? ` Runs in ${formatCount(Math.ceil(touching / 1_000))} batches of 1,000, each its own transaction; workers keep claiming meanwhile.` : ""}
          </p>
        ) : null}
        {startedAt != null ? <BusyNote startedAt={startedAt} total={touching} /> : null}
      </ConfirmDialog>
    </div>
  );
}

function BusyNote({ startedAt, total }: { startedAt: number; total: number }) {
  const [now, setNow] = useState(startedAt);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  const s = Math.floor((now - startedAt) / 1000);
  return (
    <p role="status" className="flex items-center gap-2 rounded border border-border bg-surface-2 px-2 py-1 text-xs" data-testid="bulk-busy">
      <Spinner />
      Working on {jobsCount(total)} in batches of 1,000 · {s}s elapsed. Committed batches stay done even if you close the tab.
    </p>
  );
}

function BarButton({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      onClick={onClick}
      className="h-7 rounded border border-border bg-bg px-2.5 text-sm font-medium hover:bg-surface-2"
    >
      {children}
    </button>
  );
}
