// Reading pg-boss jobs: pages with keyset cursors both ways, capped counts, one job's detail,
// and stale (expired) active jobs. Plain SELECTs on pg-boss's tables through the guest database.
import { requireFilters } from "../capabilities";
import type { CappedCount, SourceJob, SourceJobsPage, SourceListQuery, SourceStaleJob } from "../types";
import { type JobCriteria, JobFilterError } from "../../filters/job-filter";
import type { PgBossContext } from "./context";
import { decodeCursor, encodeCursor, jobKey, type ListCursor } from "./keys";
import { countSql, type ScanCursor, type ScanRow, scanSql } from "./scan.sql";
import { lockedUntilSql } from "./schema";
import { FINISHED, type NativeState, toJobState } from "./states";
import { UNSUPPORTED_FILTERS } from "./unsupported";

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const num = (v: unknown) => (v == null ? null : Number(v));

/** pg-boss counts a retry in retry_count when a failed job is fetched again: attempts = that + the run in hand. */
export function attemptsOf(r: { retry_count: number; started_on: Date | null }): number {
  return Number(r.retry_count) + (r.started_on ? 1 : 0);
}

export function toSourceJob(r: ScanRow): SourceJob {
  return {
    key: jobKey(r.name, r.id),
    kind: r.name,
    queue: r.name,
    state: toJobState(r.state),
    nativeState: r.archived ? `${r.state} (archived)` : r.state,
    attempts: attemptsOf(r),
    maxAttempts: Number(r.retry_limit) + 1,
    priority: Number(r.priority),
    worker: null,
    createdAt: iso(r.created_on)!,
    runAt: iso(r.start_after),
    startedAt: iso(r.started_on),
    finishedAt: FINISHED.includes(r.state as NativeState) ? iso(r.completed_on) : null,
    lockedUntil: iso(r.locked_until),
    cancelRequested: false,
    campaignId: null,
    runtimeMs: num(r.runtime_ms),
    errorLine: r.error_line,
  };
}

const cursorOf = (r: { sort_t: string; id: string }, inclusive = false): string => encodeCursor({ t: r.sort_t, id: r.id, ...(inclusive ? { inclusive } : {}) });

export async function scan(ctx: PgBossContext, criteria: JobCriteria, cursor: ScanCursor | undefined, limit: number, projection: "row" | "key" = "row"): Promise<ScanRow[]> {
  const s = await ctx.schema();
  const params: unknown[] = [];
  const sql = scanSql(s, criteria, { cursor, limit, projection }, params);
  return ctx.db.query<ScanRow>(sql, params);
}

const toScan = (c: ListCursor, dir: ScanCursor["dir"]): ScanCursor => ({ dir, ...c });

/** A page newest first. A previous page that reaches the newest jobs comes back as the first page. */
export async function listJobs(ctx: PgBossContext, q: SourceListQuery): Promise<SourceJobsPage> {
  requireFilters(ctx.config.name, UNSUPPORTED_FILTERS, q.criteria);
  if (q.before !== undefined && q.after !== undefined) {
    const message = "give before (next page) or after (previous page), not both";
    throw new JobFilterError(message, [{ field: "after", message }]);
  }
  const n = q.limit;
  if (q.after !== undefined) {
    const rows = (await scan(ctx, q.criteria, toScan(decodeCursor(q.after, "after"), "after"), n + 1)).reverse();
    if (rows.length > n) {
      const jobs = rows.slice(1);
      return { jobs: jobs.map(toSourceJob), next: cursorOf(jobs[jobs.length - 1]), prev: cursorOf(jobs[0]) };
    }
    return listJobs(ctx, { criteria: q.criteria, limit: n });
  }
  const before = q.before !== undefined ? decodeCursor(q.before, "before") : undefined;
  const rows = await scan(ctx, q.criteria, before && toScan(before, "before"), n + 1);
  const more = rows.length > n;
  const jobs = more ? rows.slice(0, n) : rows;
  const prev = before === undefined ? null : jobs.length ? cursorOf(jobs[0]) : encodeCursor({ ...before, inclusive: true });
  return { jobs: jobs.map(toSourceJob), next: more ? cursorOf(jobs[n - 1]) : null, prev };
}

/** How many match, reading at most `cap` + 1 rows per (queue, state) piece: never an unbounded scan of matches. */
export async function countJobs(ctx: PgBossContext, criteria: JobCriteria, cap: number): Promise<CappedCount> {
  requireFilters(ctx.config.name, UNSUPPORTED_FILTERS, criteria);
  const s = await ctx.schema();
  const params: unknown[] = [];
  const [row] = await ctx.db.query<{ n: number }>(countSql(s, criteria, cap, params), params);
  const n = Number(row?.n ?? 0);
  return n > cap ? { value: cap, capped: true } : { value: n, capped: false };
}

export const STALE_LIMIT = 500;

/** Active jobs whose expiry (or 12.x heartbeat) has passed, longest overdue first, at most 500. */
export async function listStale(ctx: PgBossContext): Promise<SourceStaleJob[]> {
  const s = await ctx.schema();
  const until = lockedUntilSql(s, "j");
  const rows = await ctx.db.query<{ name: string; id: string; started_on: Date; locked_until: Date; retry_count: number; retry_limit: number; overdue: number }>(
    `select x.* from ${s.name}.queue qn cross join lateral (
       select j.name, j.id, j.started_on, j.retry_count, j.retry_limit, ${until} as locked_until,
         extract(epoch from now() - ${until})::float8 as overdue
       from ${s.name}.job j where j.name = qn.name and j.state = 'active' and ${until} < now()
       order by ${until} limit ${STALE_LIMIT}) x
     order by x.locked_until limit ${STALE_LIMIT}`,
  );
  return rows.map((r) => ({
    key: jobKey(r.name, r.id),
    kind: r.name,
    queue: r.name,
    worker: null,
    startedAt: iso(r.started_on),
    lockedUntil: iso(r.locked_until),
    attempts: attemptsOf(r),
    maxAttempts: Number(r.retry_limit) + 1,
    leaseExpired: true,
    workerOnline: null,
    overdueSeconds: Math.max(0, Math.round(Number(r.overdue))),
    leaseRemainingSeconds: 0,
  }));
}
