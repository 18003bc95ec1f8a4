"use client";
// Stale jobs of another source: running jobs whose lock or expiry passed. "Recover selected" and
// "Recover all stale" go through the source's own function (pg-boss fail(), graphile-worker
// force_unlock_workers), each confirmed with the count and an optional reason, then a toast and a
// refresh. Without the capability the page says why instead of offering the buttons.
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { recoverStaleAction } from "@/lib/actions/recover-stale";
import type { SourceStaleJob } from "@/lib/sources/types";
import { useCan } from "../auth/caller-context";
import { ReadOnlyNote } from "../auth/read-only-note";
import { formatCount, formatDuration } from "../format";
import { td, tdNum, th, thNum } from "../overview/panel";
import { jobHref, jobLabel } from "../sources/source-href";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { useToast } from "../ui/toast";

type Mode = "selected" | "all";
const btn = "inline-flex items-center gap-1 rounded border px-2.5 py-1 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50";

export function SourceStaleTable({ rows, source, library, canRecoverHere }: { rows: SourceStaleJob[]; source: string; library: string; canRecoverHere: boolean }) {
  const router = useRouter();
  const toast = useToast();
  const operator = useCan("operator");
  const canRecover = operator && canRecoverHere;
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [open, setOpen] = useState<Mode | null>(null);
  const expired = useMemo(() => rows.filter((r) => r.leaseExpired), [rows]);
  const live = useMemo(() => new Set(expired.filter((r) => selected.has(r.key)).map((r) => r.key)), [expired, selected]);

  async function recover(mode: Mode, reason: string) {
    const r = reason || undefined;
    const res = mode === "all" ? await recoverStaleAction({ source, all: true, reason: r }) : await recoverStaleAction({ source, keys: [...live], reason: r });
    if (!res.ok) {
      toast.error("Could not recover stale jobs", res.error);
      throw new Error(res.error);
    }
    toast.success(`Recovered ${formatCount(res.result.recovered)} job${res.result.recovered === 1 ? "" : "s"} of ${source}`, `${library} decides whether each runs again or fails.`);
    setOpen(null);
    setSelected(new Set());
    router.refresh();
  }

  const count = open === "all" ? expired.length : live.size;
  return (
    <div className="flex flex-col gap-2">
      {canRecover ? (
        <div className="flex flex-wrap gap-2 px-3 pt-2">
          <button type="button" className={`${btn} border-accent bg-accent text-accent-fg`} disabled={live.size === 0} onClick={() => setOpen("selected")}>
            ⟲ Recover selected ({formatCount(live.size)})
          </button>
          <button type="button" className={`${btn} border-border bg-surface`} disabled={expired.length === 0} onClick={() => setOpen("all")}>
            ⟲ Recover all stale ({formatCount(expired.length)})
          </button>
        </div>
      ) : operator ? null : (
        <div className="px-3 pt-2"><ReadOnlyNote /></div>
      )}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="stale-table">
          <caption className="sr-only">Stale jobs of source {source}</caption>
          <thead className="border-b border-border">
            <tr>
              {canRecover ? <th scope="col" className={`${th} w-9`}><span className="sr-only">Select</span></th> : null}
              <th scope="col" className={th}>Job</th>
              <th scope="col" className={th}>Kind</th>
              <th scope="col" className={th}>Queue</th>
              <th scope="col" className={th}>Worker</th>
              <th scope="col" className={thNum}>Attempts</th>
              <th scope="col" className={thNum}>Overdue</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {rows.map((r) => (
              <tr key={r.key} data-testid="stale-row" data-job-id={r.key}>
                {canRecover ? (
                  <td className={td}>
                    <input
                      type="checkbox"
                      aria-label={`Select job ${jobLabel(r.key)}`}
                      disabled={!r.leaseExpired}
                      checked={selected.has(r.key)}
                      onChange={(e) => setSelected((s) => { const n = new Set(s); if (e.target.checked) n.add(r.key); else n.delete(r.key); return n; })}
                      className="h-4 w-4 accent-accent"
                    />
                  </td>
                ) : null}
                <td className={`${td} font-mono text-xs`}><a href={jobHref(r.key, source)} title={r.key} className="text-accent underline">{jobLabel(r.key)}</a></td>
                <td className={`${td} font-mono text-xs`}>{r.kind}</td>
                <td className={`${td} font-mono text-xs text-muted`}>{r.queue || "—"}</td>
                <td className={`${td} font-mono text-xs`}>{r.worker ?? <span className="text-muted">—</span>}</td>
                <td className={tdNum}>{formatCount(r.attempts)}{r.maxAttempts == null ? "" : `/${formatCount(r.maxAttempts)}`}</td>
                <td className={tdNum}>{r.leaseExpired ? formatDuration(r.overdueSeconds) : <span className="text-muted">lock runs {formatDuration(r.leaseRemainingSeconds)} more</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={open != null}
        title={open === "all" ? "Recover all stale jobs" : "Recover selected jobs"}
        message={`${formatCount(count)} job${count === 1 ? "" : "s"} of ${source} whose lock expired go back through ${library}'s own function: each runs again, or fails when it has no attempts left. Audited.`}
        confirmLabel={`Recover ${formatCount(count)}`}
        tone="danger"
        askReason
        confirmDisabled={count === 0}
        onConfirm={(reason) => (open ? recover(open, reason) : undefined)}
        onCancel={() => setOpen(null)}
      />
    </div>
  );
}
