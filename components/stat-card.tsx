// One headline number with its state badge and a line of context.
import type { ReactNode } from "react";
import { StateBadge } from "./state-badge";

export function StatCard({
  id,
  title,
  state,
  value,
  detail,
  badgeLabel,
  emphasis = false,
}: {
  /** Overrides the badge's text (defaults to the state's name). */
  badgeLabel?: string;
  /** Stable key for tests and links: `stat-${id}`. */
  id: string;
  title: string;
  state: string;
  value: string;
  detail?: ReactNode;
  /** Draws attention when the number needs an operator (dead, stale > 0). */
  emphasis?: boolean;
}) {
  const headingId = `stat-${id}-title`;
  return (
    <section
      aria-labelledby={headingId}
      data-testid={`stat-${id}`}
      className={`flex min-w-0 flex-col gap-1 rounded-md border bg-surface px-3 py-2.5 ${emphasis ? "border-bad" : "border-border"}`}
    >
      <h3 id={headingId} className="text-xs font-medium text-muted">{title}</h3>
      <div className="flex flex-wrap items-center justify-between gap-x-2 gap-y-1">
        <p className="tabular text-2xl font-semibold leading-tight" data-stat-value>
          {value}
        </p>
        <StateBadge state={state} label={badgeLabel} />
      </div>
      {detail ? <p className="truncate text-xs text-muted">{detail}</p> : null}
    </section>
  );
}
