// The dense audit table: when (relative, UTC on hover), actor, roles, action, targets (job ids
// as links, or the filter the action worked on, as text), affected / skipped counts, reason and
// outcome. Everything comes from the database and renders as text, never as HTML. The job
// detail page uses it without the targets column.
import Link from "next/link";
import type { AuditEventRow } from "@/lib/queries/audit";
import { targetsAreJobs } from "@/lib/queries/audit";
import { jobHref, jobLabel } from "../sources/source-href";
import { formatCount } from "../format";
import { RelativeTime } from "../ui/relative-time";
import { OutcomeBadge } from "./outcome-badge";

const th = "px-2 py-1.5 text-left text-[11px] font-semibold uppercase tracking-wide text-muted whitespace-nowrap";
const thNum = `${th} text-right`;
const td = "px-2 py-1 align-top";
const tdNum = `${td} tabular text-right whitespace-nowrap`;
const SHOWN_IDS = 5;

function filterValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) return v.join(",");
  return JSON.stringify(v);
}

/** `{"campaign_id":7,"state":["dead","failed"]}` → `campaign_id=7 state=dead,failed`; anything else as compact JSON. (Rows arrive masked from lib/queries/audit.) */
export function describeAuditFilter(filter: unknown): string {
  if (filter && typeof filter === "object" && !Array.isArray(filter)) {
    return Object.entries(filter as Record<string, unknown>)
      .map(([k, v]) => `${k}=${filterValue(v)}`)
      .join(" ");
  }
  return JSON.stringify(filter);
}

function Targets({ e }: { e: AuditEventRow }) {
  if (e.target_keys?.length) return <SourceTargets e={e} />;
  const ids = e.target_ids ?? [];
  const jobs = targetsAreJobs(e.action);
  const link = (id: number) =>
    jobs ? (
      <Link key={id} href={`/jobs/${id}`} className="font-mono text-accent underline">#{id}</Link>
    ) : (
      <Link key={id} href="/settings/tokens" className="font-mono text-accent underline" title="API token id">token #{id}</Link>
    );
  const filterText = e.filter == null ? null : describeAuditFilter(e.filter);
  return (
    <div className="flex min-w-0 flex-col gap-0.5" data-testid="audit-targets">
      {ids.length ? (
        <span className="flex flex-wrap gap-x-1.5">
          {ids.slice(0, SHOWN_IDS).map(link)}
          {ids.length > SHOWN_IDS ? (
            <details className="inline">
              <summary className="cursor-pointer text-xs text-muted hover:text-fg">+{formatCount(ids.length - SHOWN_IDS)} more</summary>
              <span className="flex max-h-40 flex-wrap gap-x-1.5 overflow-auto">{ids.slice(SHOWN_IDS).map(link)}</span>
            </details>
          ) : null}
        </span>
      ) : null}
      {filterText != null ? (
        <span className="block max-w-[22rem] truncate font-mono text-xs text-muted" title={`filter: ${filterText}`}>
          filter: {filterText}
        </span>
      ) : null}
      {!ids.length && filterText == null ? <span className="text-muted">—</span> : null}
    </div>
  );
}

/** A foreign source's job keys (and the source), linking to each job's page there. */
function SourceTargets({ e }: { e: AuditEventRow }) {
  const keys = e.target_keys ?? [];
  const link = (key: string) => (
    <Link key={key} href={jobHref(key, e.source)} title={key} className="font-mono text-accent underline">{jobLabel(key)}</Link>
  );
  return (
    <div className="flex min-w-0 flex-col gap-0.5" data-testid="audit-targets">
      <span className="text-xs text-muted">source {e.source}</span>
      <span className="flex flex-wrap gap-x-1.5">
        {keys.slice(0, SHOWN_IDS).map(link)}
        {keys.length > SHOWN_IDS ? (
          <details className="inline">
            <summary className="cursor-pointer text-xs text-muted hover:text-fg">+{formatCount(keys.length - SHOWN_IDS)} more</summary>
            <span className="flex max-h-40 flex-wrap gap-x-1.5 overflow-auto">{keys.slice(SHOWN_IDS).map(link)}</span>
          </details>
        ) : null}
      </span>
    </div>
  );
}

export function AuditTable({ events, now, showTargets = true, caption }: { events: AuditEventRow[]; now: number; showTargets?: boolean; caption: string }) {
  return (
    <div className="overflow-x-auto rounded-md border border-border bg-surface">
      <table className="w-full border-collapse text-sm" data-testid="audit-table">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={th}>When</th>
            <th scope="col" className={th}>Actor</th>
            <th scope="col" className={th}>Roles</th>
            <th scope="col" className={th}>Action</th>
            {showTargets ? <th scope="col" className={th}>Targets</th> : null}
            <th scope="col" className={thNum}>Affected</th>
            <th scope="col" className={thNum}>Skipped</th>
            <th scope="col" className={th}>Reason</th>
            <th scope="col" className={th}>Outcome</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {events.map((e) => (
            <tr key={e.id} data-testid="audit-row" data-event-id={e.id} className="hover:bg-surface-2">
              <td className={`${td} whitespace-nowrap`}><RelativeTime date={e.at} now={now} /></td>
              <td className={`${td} max-w-[16rem] break-words`} data-testid="audit-actor">{e.actor}</td>
              <td className={`${td} whitespace-nowrap text-xs text-muted`}>{e.roles.length ? e.roles.join(", ") : "—"}</td>
              <td className={`${td} whitespace-nowrap font-mono text-xs`} data-testid="audit-action">{e.action}</td>
              {showTargets ? <td className={td}><Targets e={e} /></td> : null}
              <td className={tdNum}>{formatCount(e.affected)}</td>
              <td className={`${tdNum} ${e.skipped ? "" : "text-muted"}`}>{formatCount(e.skipped)}</td>
              <td className={`${td} min-w-[10rem] max-w-[24rem] break-words`} data-testid="audit-reason">
                {e.reason ? e.reason : <span className="text-muted">—</span>}
              </td>
              <td className={td}><OutcomeBadge outcome={e.outcome} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
