// Small shared pieces of the campaign pages: a titled panel, table cell classes, the progress
// bar (with its numbers as text) and children-by-state counts. Server-renderable.
import Link from "next/link";
import type { ReactNode } from "react";
import { formatCount } from "../format";
import { StateBadge } from "../state-badge";

export function Section({ id, title, note, children }: { id: string; title: string; note?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`} data-testid={`section-${id}`} className="min-w-0 rounded-md border border-border bg-surface">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 border-b border-border px-3 py-2">
        <h2 id={`${id}-title`} className="text-sm font-semibold">{title}</h2>
        {note ? <p className="text-xs text-muted">{note}</p> : null}
      </div>
      {children}
    </section>
  );
}

export const th = "px-3 py-1.5 text-left text-[11px] font-semibold uppercase tracking-wide text-muted whitespace-nowrap";
export const thNum = `${th} text-right`;
export const td = "px-3 py-1.5 align-top";
export const tdNum = `${td} tabular text-right whitespace-nowrap`;

/** Items done against the known total: a bar plus "1,234 / 5,000 (24%)". Unknown total: count only. */
export function ProgressBar({ done, total, label }: { done: number; total: number | null; label: string }) {
  const pct = total && total > 0 ? Math.min(100, (100 * done) / total) : null;
  const text = total != null ? `${formatCount(done)} / ${formatCount(total)}${pct != null ? ` (${Math.floor(pct)}%)` : ""}` : `${formatCount(done)} / total unknown`;
  return (
    <div className="flex min-w-[9rem] flex-col gap-0.5">
      <span className="tabular text-xs">{text}</span>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total ?? undefined}
        aria-valuenow={done}
        aria-valuetext={text}
        className="h-1.5 w-full overflow-hidden rounded bg-surface-2"
      >
        {pct != null ? <div className="h-full bg-ok" style={{ width: `${pct}%` }} /> : <div className="h-full w-full bg-idle-bg" />}
      </div>
    </div>
  );
}

const ORDER = ["pending", "running", "failed", "completed", "dead", "cancelled"];
const rank = (s: string) => (ORDER.includes(s) ? ORDER.indexOf(s) : ORDER.length);

/** "▶ 3 ● 120 ■ 2": each state with its badge and count, each linking to the filtered jobs list. */
export function ChildrenByState({ by, campaignId, testId }: { by: Record<string, number>; campaignId: number; testId?: string }) {
  const keys = Object.keys(by)
    .filter((k) => by[k] > 0)
    .sort((a, b) => rank(a) - rank(b));
  if (!keys.length) return <span className="text-xs text-muted" data-testid={testId}>none yet</span>;
  return (
    <ul className="flex flex-wrap gap-x-2 gap-y-1" data-testid={testId}>
      {keys.map((k) => (
        <li key={k} data-state={k}>
          <Link href={`/jobs?campaign=${campaignId}&state=${k}`} className="inline-flex items-center gap-1 hover:underline">
            <StateBadge state={k} />
            <span className="tabular text-xs">{formatCount(by[k])}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function rangeText(r: { from: number; to: number }): string {
  return r.from === r.to ? formatCount(r.from) : `${formatCount(r.from)}–${formatCount(r.to)}`;
}
