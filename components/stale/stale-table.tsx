"use client";
// Stale locks with row selection: "Recover selected" and "Recover all stale", each confirmed
// (with the count and an optional reason), then a toast with the outcome and a refresh. Jobs
// whose worker is offline but whose lease still runs cannot be recovered by id yet; their row
// offers the worker's "Recover its jobs" instead (which force-releases live leases only after a
// second, warned confirmation). Recovering needs the operator role: a viewer
// sees the table without checkboxes or buttons, and a read-only note.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { recoverStaleAction } from "@/lib/actions/recover-stale";
import type { StaleLockRow } from "@/lib/queries/stale";
import { formatCount, formatDuration } from "../format";
import { td, tdNum, th, thNum } from "../overview/panel";
import { useCan } from "../auth/caller-context";
import { ReadOnlyNote } from "../auth/read-only-note";
import { StateBadge } from "../state-badge";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { RelativeTime } from "../ui/relative-time";
import { useToast } from "../ui/toast";
import { RecoverWorkerJobs } from "../workers/recover-worker-jobs";
import { recoveredSummary } from "./recovered-summary";

type Mode = "selected" | "all";

const btn = "inline-flex items-center gap-1 rounded border px-2.5 py-1 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50";

export function StaleTable({ rows, now }: { rows: StaleLockRow[]; now: number }) {
  const router = useRouter();
  const toast = useToast();
  const [selected, setSelected] = useState<Set<number>>(() => new Set());
  const [open, setOpen] = useState<Mode | null>(null);
  const canRecover = useCan("operator");

  const expired = useMemo(() => rows.filter((r) => r.lease_expired), [rows]);
  // Keep only selections that are still stale after a refresh.
  const live = useMemo(() => new Set(expired.filter((r) => selected.has(r.id)).map((r) => r.id)), [expired, selected]);
  const allSelected = expired.length > 0 && live.size === expired.length;
  const heldByWorker = useMemo(() => {
    const m = new Map<string, number>();
    for (const r of rows) if (!r.worker_online && r.locked_by) m.set(r.locked_by, (m.get(r.locked_by) ?? 0) + 1);
    return m;
  }, [rows]);

  function toggle(id: number) {
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }

  async function recover(mode: Mode, reason: string) {
    const r = reason || undefined;
    const res = mode === "all" ? await recoverStaleAction({ all: true, reason: r }) : await recoverStaleAction({ ids: [...live], reason: r });
    if (!res.ok) {
      toast.error("Could not recover stale jobs", res.error);
      throw new Error(res.error);
    }
    const o = res.result;
    const skipped = o.skipped.length + o.not_found.length;
    const detail = skipped ? `${formatCount(skipped)} skipped: ${o.skipped[0]?.reason ?? "no longer exists"}` : undefined;
    if (o.recovered > 0) toast.success(recoveredSummary(o.recovered, o.by_state), detail);
    else toast.info("Nothing was recovered", detail ?? "No job was stale any more: a worker sweep may have recovered them first.");
    setSelected(new Set());
    setOpen(null);
    router.refresh();
  }

  const count = open === "all" ? expired.length : live.size;
  const jobs = `${formatCount(count)} stale job${count === 1 ? "" : "s"}`;

  return (
    <>
      {!canRecover ? (
        <div className="border-b border-border px-3 py-2">
          <ReadOnlyNote />
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-2 border-b border-border px-3 py-2" role="toolbar" aria-label="Recover stale jobs">
          <button type="button" className={`${btn} border-accent bg-accent text-accent-fg hover:opacity-90`} disabled={live.size === 0} onClick={() => setOpen("selected")}>
            ⟲ Recover selected{live.size ? ` (${formatCount(live.size)})` : ""}
          </button>
          <button type="button" className={`${btn} border-border bg-surface text-fg hover:bg-surface-2`} disabled={expired.length === 0} onClick={() => setOpen("all")}>
            ⟲ Recover all stale ({formatCount(expired.length)})
          </button>
          <span className="text-xs text-muted" aria-live="polite">
            {live.size ? `${formatCount(live.size)} selected` : "Select jobs whose lease expired, or recover them all."}
          </span>
        </div>
      )}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="stale-table">
          <caption className="sr-only">Running jobs whose lease expired or whose worker is offline, most overdue first</caption>
          <thead className="border-b border-border">
            <tr>
              {canRecover ? (
                <th scope="col" className={`${th} w-8`}>
                  <input
                    type="checkbox"
                    aria-label="Select every job whose lease expired"
                    checked={allSelected}
                    disabled={expired.length === 0}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(expired.map((r) => r.id)))}
                    className="h-4 w-4 accent-[var(--accent)]"
                  />
                </th>
              ) : null}
              <th scope="col" className={th}>Job</th>
              <th scope="col" className={th}>Kind</th>
              <th scope="col" className={th}>Worker</th>
              <th scope="col" className={thNum}>Locked until</th>
              <th scope="col" className={thNum}>Overdue by</th>
              <th scope="col" className={thNum}>Attempts</th>
              <th scope="col" className={th}>Why stale</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {rows.map((r) => (
              <tr key={r.id} data-testid="stale-row" data-job-id={r.id} className={live.has(r.id) ? "bg-surface-2" : undefined}>
                {canRecover ? (
                  <td className={td}>
                    {r.lease_expired ? (
                      <input
                        type="checkbox"
                        aria-label={`Select job ${r.id}`}
                        checked={live.has(r.id)}
                        onChange={() => toggle(r.id)}
                        className="h-4 w-4 accent-[var(--accent)]"
                      />
                    ) : null}
                  </td>
                ) : null}
                <td className={`${td} whitespace-nowrap`}>
                  <Link href={`/jobs/${r.id}`} className="tabular font-mono text-accent underline">#{r.id}</Link>
                </td>
                <td className={`${td} max-w-[16rem]`}>
                  <div className="truncate font-mono text-xs" title={r.kind}>{r.kind}</div>
                  <div className="truncate text-xs text-muted">{r.queue}</div>
                </td>
                <td className={`${td} max-w-[18rem]`}>
                  {r.locked_by ? (
                    <>
                      <Link href={`/workers#${encodeURIComponent(`worker-${r.locked_by}`)}`} className="block truncate font-mono text-xs text-accent underline" title={r.locked_by}>
                        {r.locked_by}
                      </Link>
                      <span className="flex items-center gap-1 text-xs text-muted">
                        <StateBadge state={r.worker_online ? "online" : "offline"} />
                        {r.worker_heartbeat_age_seconds != null ? `heartbeat ${formatDuration(r.worker_heartbeat_age_seconds)} ago` : "not registered"}
                      </span>
                    </>
                  ) : <span className="text-muted">—</span>}
                </td>
                <td className={`${tdNum} whitespace-nowrap`}><RelativeTime date={r.locked_until} now={now} /></td>
                <td className={`${tdNum} whitespace-nowrap ${r.lease_expired ? "font-semibold text-bad" : ""}`}>
                  {r.lease_expired ? formatDuration(r.overdue_seconds) : <span className="font-normal text-muted">lease runs {formatDuration(r.lease_remaining_seconds)} more</span>}
                </td>
                <td className={tdNum}>{formatCount(r.attempts)}/{formatCount(r.max_attempts)}</td>
                <td className={td}>
                  {r.lease_expired ? (
                    <span className="text-xs">
                      lease expired{r.worker_online ? "; worker online but not extending it" : "; worker offline"}
                      {r.attempts >= r.max_attempts ? <span className="block text-bad">no attempts left: recovery dead-letters it</span> : null}
                    </span>
                  ) : (
                    <span className="flex flex-col items-start gap-1 text-xs">
                      worker offline; lease not yet expired
                      {r.locked_by ? <RecoverWorkerJobs workerId={r.locked_by} count={heldByWorker.get(r.locked_by) ?? 1} /> : null}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canRecover ? (
        <ConfirmDialog
          open={open != null}
          title={open === "all" ? "Recover all stale jobs" : "Recover selected stale jobs"}
          message={
            <>
              <p>
                Recover <strong>{jobs}</strong>{open === "all" ? " (every running job whose lease has expired)" : ""}?
              </p>
              <p className="mt-1 text-muted">
                They go back to pending; a job with no attempts left becomes dead and one with a cancel request becomes
                cancelled. Each lost attempt stays in its history. A job whose worker extended its lease meanwhile is skipped.
              </p>
            </>
          }
          confirmLabel={`Recover ${jobs}`}
          tone="danger"
          askReason
          confirmDisabled={count === 0}
          onConfirm={(reason) => (open ? recover(open, reason) : undefined)}
          onCancel={() => setOpen(null)}
        />
      ) : null}
    </>
  );
}
