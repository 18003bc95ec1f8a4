// The audit trail (audit_events, written by lib/audit/record.ts in the transaction of each change):
// one keyset page of events matching an AuditFilter, newest first; every matching event in keyset
// batches for the exports; and one job's entries for its detail page (audit_events_target_ids_idx,
// a GIN index on target_ids, answers `target_ids @> array[id]`). Rows come out with secret values
// in their filter and details masked, for every reader (pages and exports alike).
import type { Sql } from "../../db/client";
import type { AuditCriteria, AuditFilter } from "../filters/audit-filter";
import type { TimeBound } from "../filters/job-filter";
import { redactAuditValue } from "../redact";

export interface AuditEventRow {
  id: number;
  at: Date;
  actor: string;
  roles: string[];
  action: string;
  /** null when the action worked on a filter (then `filter` says which). */
  target_ids: number[] | null;
  /** The source acted on (`jobdeck` = the native queue). */
  source: string;
  /** A foreign source's job keys, or null. */
  target_keys: string[] | null;
  filter: unknown;
  affected: number;
  skipped: number;
  reason: string | null;
  outcome: string;
  details: unknown;
}

export interface AuditPage {
  events: AuditEventRow[];
  /** `beforeId` of the next (older) page; null on the last page. */
  nextBeforeId: number | null;
  /** `afterId` of the previous (newer) page; null on the first page. */
  prevAfterId: number | null;
}

/** Actions whose target_ids are not job ids (API tokens): never a job's entries, never job links. */
export const NON_JOB_TARGET_ACTION_PREFIXES = ["tokens."] as const;
const NOT_JOB_TARGETS_SQL = `(${NON_JOB_TARGET_ACTION_PREFIXES.map((x) => `starts_with(a.action, '${x}')`).join(" or ")})`;

export function targetsAreJobs(action: string): boolean {
  return !NON_JOB_TARGET_ACTION_PREFIXES.some((x) => action.startsWith(x));
}

const COLUMNS = "id, at, actor, roles, action, target_ids, source, target_keys, filter, affected, skipped, reason, outcome, details";

function boundSql(b: TimeBound, p: (v: unknown) => string): string {
  return "ago" in b ? `now() - make_interval(secs => ${p(b.ago)})` : `${p(b.at.toISOString())}::timestamptz`;
}

/** `where` conditions of a filter's criteria; pushes its parameters onto `params`. */
export function auditWhereSql(c: AuditCriteria, params: unknown[]): string[] {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const conds: string[] = [];
  if (c.actor) conds.push(`a.actor ilike ${p(`%${c.actor.replace(/[\\%_]/g, (m) => `\\${m}`)}%`)}`);
  if (c.action !== undefined) {
    conds.push(c.actionPrefix ? `starts_with(a.action, ${p(c.action)})` : `a.action = ${p(c.action)}`);
  }
  if (c.outcome) conds.push(`a.outcome = ${p(c.outcome)}`);
  if (c.since) conds.push(`a.at >= ${boundSql(c.since, p)}`);
  if (c.until) conds.push(`a.at < ${boundSql(c.until, p)}`);
  // tokens.* events carry API token ids in target_ids, not job ids.
  if (c.jobId !== undefined) conds.push(`a.target_ids @> array[${p(c.jobId)}::bigint] and not ${NOT_JOB_TARGETS_SQL}`);
  if (c.source !== undefined) conds.push(`a.source = ${p(c.source)}`);
  // audit_events_target_keys_idx (GIN) answers this.
  if (c.jobKey !== undefined) conds.push(`a.target_keys @> array[${p(c.jobKey)}]::text[]`);
  return conds;
}

/** Every audit row read goes through here: its filter and details are masked (lib/redact) for every reader. */
function normalize(r: AuditEventRow): AuditEventRow {
  return {
    ...r,
    filter: redactAuditValue(r.filter),
    details: redactAuditValue(r.details),
    id: Number(r.id),
    target_ids: r.target_ids == null ? null : r.target_ids.map(Number),
    roles: r.roles ?? [],
    affected: Number(r.affected),
    skipped: Number(r.skipped),
  };
}

async function rows(q: Sql, c: AuditCriteria, cursor: { beforeId?: number; afterId?: number; limit: number }): Promise<AuditEventRow[]> {
  const params: unknown[] = [];
  const conds = auditWhereSql(c, params);
  const asc = cursor.afterId !== undefined;
  if (cursor.beforeId !== undefined) conds.push(`a.id < $${params.push(cursor.beforeId)}`);
  if (cursor.afterId !== undefined) conds.push(`a.id > $${params.push(cursor.afterId)}`);
  const where = conds.length ? `where ${conds.join(" and ")}` : "";
  const found = await q.query<AuditEventRow>(
    `select ${COLUMNS} from audit_events a ${where} order by a.id ${asc ? "asc" : "desc"} limit $${params.push(cursor.limit)}`,
    params,
  );
  return found.map(normalize);
}

/**
 * One page, newest first. `beforeId` pages to older events, `afterId` to newer ones; events
 * written meanwhile get larger ids and never shift an older page.
 */
export async function listAuditPage(q: Sql, f: AuditFilter): Promise<AuditPage> {
  const n = f.limit;
  if (f.afterId !== undefined) {
    const newer = await rows(q, f, { afterId: f.afterId, limit: n + 1 }); // oldest first
    const events = newer.slice(0, n).reverse();
    // Reached the newest events: this is the first page again.
    if (newer.length <= n) return listAuditPage(q, { ...f, afterId: undefined, beforeId: undefined });
    return { events, nextBeforeId: events.length ? events[events.length - 1].id : null, prevAfterId: events[0].id };
  }
  const found = await rows(q, f, { beforeId: f.beforeId, limit: n + 1 });
  const events = found.slice(0, n);
  return {
    events,
    nextBeforeId: found.length > n ? events[events.length - 1].id : null,
    prevAfterId: f.beforeId === undefined ? null : events.length ? events[0].id : f.beforeId - 1,
  };
}

/** Every event matching `c`, newest first, read in keyset batches (for the exports). Stops after `max`. */
export async function* iterateAuditEvents(q: Sql, c: AuditCriteria, opts: { batch?: number; max?: number } = {}): AsyncGenerator<AuditEventRow> {
  const batch = opts.batch ?? 1_000;
  let left = opts.max ?? Number.POSITIVE_INFINITY;
  let beforeId: number | undefined;
  while (left > 0) {
    const page = await rows(q, c, { beforeId, limit: Math.min(batch, left) });
    for (const r of page) yield r;
    if (page.length < Math.min(batch, left)) return;
    left -= page.length;
    beforeId = page[page.length - 1].id;
  }
}

/** A job's audit entries, newest first (at most `limit`), and how many there are in all. */
export async function listJobAudit(q: Sql, jobId: number, limit = 50): Promise<{ events: AuditEventRow[]; total: number }> {
  const [events, count] = await Promise.all([
    rows(q, { jobId }, { limit }),
    q.query<{ n: number }>(`select count(*)::int as n from audit_events a where a.target_ids @> array[$1::bigint] and not ${NOT_JOB_TARGETS_SQL}`, [jobId]),
  ]);
  return { events, total: Number(count[0]?.n ?? events.length) };
}

/** A foreign source's job: its audit entries, newest first (at most `limit`), and how many in all. */
export async function listSourceJobAudit(q: Sql, source: string, key: string, limit = 50): Promise<{ events: AuditEventRow[]; total: number }> {
  const [events, count] = await Promise.all([
    rows(q, { source, jobKey: key }, { limit }),
    q.query<{ n: number }>("select count(*)::int as n from audit_events a where a.target_keys @> array[$2]::text[] and a.source = $1", [source, key]),
  ]);
  return { events, total: Number(count[0]?.n ?? events.length) };
}

/** The actions seen in the newest events, for the filter's suggestions (bounded: no full scan). */
export async function recentAuditActions(q: Sql, window = 5_000): Promise<string[]> {
  const found = await q.query<{ action: string }>(
    "select distinct action from (select action from audit_events order by id desc limit $1) x order by action",
    [window],
  );
  return found.map((r) => r.action);
}
