// The one statement every pg-boss list, count and bulk walk is built from: jobs matching Jobdeck
// criteria, newest first (created_on desc, id desc), after or before a keyset cursor. It walks
// queue by queue (and state by state when states are asked for), `limit` rows each, then merges:
// every piece is an ordered range of one queue's partition — pg-boss's own (name, created_on)
// index on 12.x, the opt-in (name, state, created_on, id) index where it exists — so a page costs
// O(queues × limit), not O(jobs). On 10.x the archive table is read alongside the job table.
import type { JobCriteria, TimeBound } from "../../filters/job-filter";
import { type BossSchema, errorTextSql, lockedUntilSql } from "./schema";
import { NATIVE_STATES, nativeStatesFor } from "./states";

export interface ScanCursor {
  dir: "before" | "after";
  t: string;
  id: string;
  inclusive?: boolean;
}

/** A row of a list (`row`) or just enough to act on and page (`key`). */
export type Projection = "row" | "key";

export interface ScanRow {
  name: string;
  id: string;
  state: string;
  archived: boolean;
  sort_t: string;
  priority: number;
  retry_count: number;
  retry_limit: number;
  created_on: Date;
  start_after: Date;
  started_on: Date | null;
  completed_on: Date | null;
  locked_until: Date | null;
  runtime_ms: number | null;
  error_line: string | null;
}

export function pusher(params: unknown[]) {
  return (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
}

function boundSql(b: TimeBound, p: (v: unknown) => string): string {
  return "ago" in b ? `now() - make_interval(secs => ${p(b.ago)})` : `${p(b.at.toISOString())}::timestamptz`;
}

/** Conditions of `criteria` other than states and queue, over alias `j` (pg-boss has no worker, campaign or numeric id). */
export function criteriaConditions(c: JobCriteria, p: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (c.sinceSeconds !== undefined) where.push(`coalesce(j.completed_on, j.started_on, j.created_on) >= now() - make_interval(secs => ${p(c.sinceSeconds)})`);
  if (c.createdSince) where.push(`j.created_on >= ${boundSql(c.createdSince, p)}`);
  if (c.createdUntil) where.push(`j.created_on < ${boundSql(c.createdUntil, p)}`);
  if (c.finishedSince) where.push(`j.completed_on >= ${boundSql(c.finishedSince, p)}`);
  if (c.finishedUntil) where.push(`j.completed_on < ${boundSql(c.finishedUntil, p)}`);
  if (c.errorPrefix !== undefined) where.push(`starts_with(${errorTextSql("j")}, ${p(c.errorPrefix)})`);
  if (c.errorContains !== undefined) where.push(`strpos(lower(${errorTextSql("j")}), lower(${p(c.errorContains)})) > 0`);
  if (c.payloadContains !== undefined) where.push(`j.data @> ${p(JSON.stringify(c.payloadContains))}::jsonb`);
  return where;
}

/** The queues to walk: the one named by queue/kind (pg-boss's kind is its queue name), or all of them. */
export function queuesSql(s: BossSchema, c: JobCriteria, p: (v: unknown) => string): string {
  const named = [c.queue, c.kind].filter((v): v is string => v !== undefined);
  if (named.length === 2 && named[0] !== named[1]) return `(select name from ${s.name}.queue where false)`;
  return named.length ? `(select name from ${s.name}.queue where name = ${p(named[0])})` : `(select name from ${s.name}.queue)`;
}

export function columns(s: BossSchema, projection: Projection, archived: boolean): string {
  const base = `j.name, j.id, j.state::text as state, j.created_on, ${archived} as archived,
    to_char(j.created_on at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as sort_t`;
  if (projection === "key") return base;
  return `${base}, j.priority, j.retry_count, j.retry_limit, j.start_after, j.started_on, j.completed_on,
    case when j.state = 'active' then ${lockedUntilSql(s, "j")} end as locked_until,
    (case when j.started_on is null then null
          when j.state = 'active' then extract(epoch from now() - j.started_on)
          when j.completed_on is not null then extract(epoch from j.completed_on - j.started_on) end * 1000)::float8 as runtime_ms,
    left(split_part(${errorTextSql("j")}, E'\\n', 1), 300) as error_line`;
}

/**
 * Jobs matching `criteria` in keyset order (newest first; oldest first with an `after` cursor),
 * at most `limit`. Pushes its values onto `params`.
 */
export function scanSql(s: BossSchema, criteria: JobCriteria, opts: { cursor?: ScanCursor; limit: number; projection: Projection }, params: unknown[]): string {
  return scanPieces(s, criteria, opts, params, true);
}

/**
 * How many jobs match, reading at most `cap` + 1 per (queue, state) piece and in no order, so each
 * piece may use any index (pg-boss 12's (name, state, ...) fetch index for failed jobs, say).
 */
export function countSql(s: BossSchema, criteria: JobCriteria, cap: number, params: unknown[]): string {
  return `select count(*)::int as n from (${scanPieces(s, criteria, { limit: cap + 1, projection: "key" }, params, false)}) c`;
}

function scanPieces(
  s: BossSchema,
  criteria: JobCriteria,
  opts: { cursor?: ScanCursor; limit: number; projection: Projection },
  params: unknown[],
  ordered: boolean,
): string {
  const p = pusher(params);
  const asc = opts.cursor?.dir === "after";
  const order = asc ? "asc" : "desc";
  // Only retry/failed jobs carry an error (errorTextSql): an error filter reads those states only.
  const errorFilter = criteria.errorPrefix !== undefined || criteria.errorContains !== undefined;
  const states = nativeStatesFor(criteria.states).filter((st) => !errorFilter || st === "retry" || st === "failed");
  // Walk state by state when states are narrowed, or when only the opt-in (name, state, created_on,
  // id) index makes a queue's jobs ordered ranges (10.x has no (name, created_on) index) — except
  // for a payload filter over every state, which reads whole queues either way.
  const split =
    states.length < NATIVE_STATES.length || (s.hasListIndex && !s.hasCreatedIndex && criteria.payloadContains === undefined);
  const conds = criteriaConditions(criteria, p);
  if (opts.cursor) {
    const op = (asc ? ">" : "<") + (opts.cursor.inclusive ? "=" : "");
    const t = p(opts.cursor.t);
    // The plain created_on bound lets the (name, created_on) index start at the cursor.
    conds.push(`j.created_on ${asc ? ">=" : "<="} ${t}::timestamptz`, `(j.created_on, j.id) ${op} (${t}::timestamptz, ${p(opts.cursor.id)}::uuid)`);
  }
  if (split) conds.push(`j.state = st.s::${s.name}.job_state`);
  const limit = p(opts.limit);
  const queues = queuesSql(s, criteria, p);
  const statesJoin = split ? ` cross join unnest(${p(states)}::text[]) as st(s)` : "";
  const orderBy = (a: string) => (ordered ? ` order by ${a}.created_on ${order}, ${a}.id ${order}` : "");
  const piece = (table: string, archived: boolean) =>
    `(select ${ordered ? columns(s, opts.projection, archived) : "1"} from ${s.name}.${table} j
      where j.name = qn.name${conds.length ? ` and ${conds.join(" and ")}` : ""}${orderBy("j")} limit ${limit})`;
  const tables = [piece("job", false), ...(s.hasArchive ? [piece("archive", true)] : [])].join(" union all ");
  return `select x.* from ${queues} qn${statesJoin} cross join lateral (${tables}) x${orderBy("x")} limit ${limit}`;
}
