// The all-sources overview: one row per source (health, counts by state, oldest pending,
// failures in the last hour, workers where known), each linking into that source's pages.
import Link from "next/link";
import type { SourceOverviewRow } from "@/lib/sources/overview";
import { formatCapped, formatCount, formatDuration } from "../format";
import { td, tdNum, th, thNum } from "../overview/panel";
import { StateBadge } from "../state-badge";
import { withSource } from "./source-href";

const STATES = ["pending", "running", "failed", "dead", "cancelled"] as const;

function Count({ row, state }: { row: SourceOverviewRow; state: (typeof STATES)[number] }) {
  const c = row.summary?.counts[state];
  if (!row.summary) return <span className="text-muted">—</span>;
  if (!c) return <span className="text-muted" title={`${row.info.library} keeps no ${state} jobs`}>n/a</span>;
  const href = withSource(`/jobs?state=${state}`, row.info.name);
  return c.value === 0 ? <span className="text-muted">0</span> : <Link href={href} className="underline-offset-2 hover:underline">{formatCapped(c)}</Link>;
}

function Health({ row }: { row: SourceOverviewRow }) {
  if (!row.health.ok) {
    return (
      <span className="flex flex-col items-start gap-0.5">
        <StateBadge state="offline" label="unreachable" />
        <span className="max-w-[22rem] truncate font-mono text-[11px] text-bad" title={row.health.error ?? undefined}>{row.health.error}</span>
      </span>
    );
  }
  return (
    <span className="flex flex-col items-start gap-0.5">
      <StateBadge state="online" label="reachable" />
      <span className="text-[11px] text-muted">{row.health.latencyMs == null ? "" : `${formatCount(row.health.latencyMs)} ms`}{row.info.readOnly ? " · read-only" : ""}</span>
    </span>
  );
}

export function SourcesTable({ rows }: { rows: SourceOverviewRow[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="sources-table">
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={th}>Source</th>
            <th scope="col" className={th}>Health</th>
            {STATES.map((s) => (
              <th key={s} scope="col" className={thNum}>{s === "failed" ? "retrying" : s}</th>
            ))}
            <th scope="col" className={thNum}>Oldest pending</th>
            <th scope="col" className={thNum}>Failed 1 h</th>
            <th scope="col" className={thNum}>Completed 1 h</th>
            <th scope="col" className={thNum}>Workers</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const s = r.summary;
            const workersNote = r.info.capabilities.workers.supported ? null : r.info.capabilities.workers.reason;
            return (
              <tr key={r.info.name} className="border-b border-border last:border-0" data-testid={`source-row-${r.info.name}`}>
                <th scope="row" className={`${td} text-left font-normal`}>
                  <Link href={withSource("/", r.info.name)} className="font-semibold underline-offset-2 hover:underline">{r.info.name}</Link>
                  <span className="block text-[11px] text-muted">
                    {r.info.kind === "jobdeck" ? "native queue" : r.info.library}
                    {r.info.schemaVersion ? ` · schema ${r.info.schemaVersion}` : ""} · <span className="font-mono">{r.info.location}</span>
                  </span>
                </th>
                <td className={td}><Health row={r} /></td>
                {STATES.map((st) => (
                  <td key={st} className={tdNum}><Count row={r} state={st} /></td>
                ))}
                <td className={tdNum}>{s?.oldestPendingAgeSeconds == null ? <span className="text-muted">—</span> : formatDuration(s.oldestPendingAgeSeconds)}</td>
                <td className={tdNum}>{s?.failedLastHour == null ? <span className="text-muted">—</span> : formatCount(s.failedLastHour)}</td>
                <td className={tdNum}>{s?.completedLastHour == null ? <span className="text-muted">—</span> : formatCount(s.completedLastHour)}</td>
                <td className={tdNum}>
                  {s?.workers ? (
                    <Link href={withSource("/workers", r.info.name)} className="underline-offset-2 hover:underline">
                      {formatCount(s.workers.online)} online{s.workers.offline ? ` · ${formatCount(s.workers.offline)} offline` : ""}
                    </Link>
                  ) : (
                    <span className="text-muted" title={workersNote ?? undefined}>not kept</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
