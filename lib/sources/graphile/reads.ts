// Reads of a graphile-worker source: job lists (newest id first, keyset cursors both ways),
// capped counts, one job's detail, the worker pools holding locks, and stale locks. Everything
// reads graphile-worker's `jobs` view, except a job's payload, which that view omits: it is read
// by id from graphile-worker's private jobs table, never written.
import type { Sql } from "../../../db/client";
import { type JobCriteria, JobFilterError, MAX_JOB_LIST_LIMIT } from "../../filters/job-filter";
import type { CappedCount, SourceJobDetail, SourceJobsPage, SourceListQuery, SourceStaleJob, SourceWorker } from "../types";
import { pusher } from "./criteria";
import { graphileRecoveryHint } from "./hints";
import { decodeCursor, encodeCursor, parseGraphileKey } from "./keys";
import { type GraphileRow, iso, ROW_COLUMNS, toSourceJob } from "./rows";
import { matchingSql, windowEdge } from "./scan";
import { quoteIdent } from "./schema";
import { LOCK_TIMEOUT_SQL, staleLockSql } from "./states";

/** Locked jobs read at most (workers, stale): a pool holds `concurrency` of them at a time. */
export const MAX_LOCKED_ROWS = 1_000;

/** Up to `limit` matching rows past the cursor, newest first; `edge` is set when a payload window ran out first. */
async function page(q: Sql, schema: string, criteria: JobCriteria, limit: number, cursor: { before?: string; after?: string }): Promise<{ rows: GraphileRow[]; edge: string | null }> {
  const params: unknown[] = [];
  const { sql, windowed } = matchingSql(schema, criteria, pusher(params), ROW_COLUMNS, cursor, limit);
  const rows = await q.query<GraphileRow>(sql, params);
  if (cursor.after !== undefined) rows.reverse();
  const edge = windowed && rows.length < limit ? await windowEdge(q, schema, criteria, cursor) : null;
  return { rows, edge };
}

/**
 * One page, newest first. `before` (a `next` cursor) gives the older page; `after` (a `prev`
 * cursor) the newer one, which falls back to the first page once it reaches the newest jobs.
 * A payload filter may give a short (even empty) page whose `next` continues the scan.
 */
export async function listGraphileJobs(q: Sql, schema: string, query: SourceListQuery): Promise<SourceJobsPage> {
  const n = query.limit;
  if (!Number.isInteger(n) || n < 1 || n > MAX_JOB_LIST_LIMIT) throw new JobFilterError(`limit must be a whole number from 1 to ${MAX_JOB_LIST_LIMIT}`, [{ field: "limit", message: `limit must be a whole number from 1 to ${MAX_JOB_LIST_LIMIT}` }]);
  if (query.before !== undefined && query.after !== undefined) throw new JobFilterError("give before (next page) or after (previous page), not both", [{ field: "after", message: "give before or after, not both" }]);
  if (query.after !== undefined) {
    const after = decodeCursor(query.after, "after");
    const { rows, edge } = await page(q, schema, query.criteria, n + 1, { after });
    if (rows.length > n) {
      const jobs = rows.slice(1).map(toSourceJob); // the newest belongs to an even newer page
      return { jobs, next: encodeCursor(jobs[jobs.length - 1].key), prev: encodeCursor(jobs[0].key) };
    }
    if (edge !== null) {
      // The payload window ran out below the newest jobs: what it found, and newer pages beyond it.
      const jobs = rows.map(toSourceJob);
      return { jobs, next: encodeCursor(jobs.length ? jobs[jobs.length - 1].key : String(BigInt(after) + 1n)), prev: encodeCursor(edge) };
    }
    return listGraphileJobs(q, schema, { criteria: query.criteria, limit: n });
  }
  const before = query.before === undefined ? undefined : decodeCursor(query.before, "before");
  const { rows, edge } = await page(q, schema, query.criteria, n + 1, { before });
  const more = rows.length > n;
  const jobs = (more ? rows.slice(0, n) : rows).map(toSourceJob);
  const prev = before === undefined ? null : encodeCursor(jobs.length ? jobs[0].key : String(BigInt(before) - 1n));
  const next = more ? encodeCursor(jobs[jobs.length - 1].key) : edge === null ? null : encodeCursor(edge);
  return { jobs, next, prev };
}

/** Matching jobs, counting at most `cap` + 1 along the id index ("at least" when a payload window ran out first). */
export async function countGraphileJobs(q: Sql, schema: string, criteria: JobCriteria, cap: number): Promise<CappedCount> {
  const params: unknown[] = [];
  const { sql, windowed } = matchingSql(schema, criteria, pusher(params), "1", {}, cap + 1);
  const [row] = await q.query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, params);
  const n = Number(row?.n ?? 0);
  if (n > cap) return { value: cap, capped: true };
  return { value: n, capped: windowed && (await windowEdge(q, schema, criteria, {})) !== null };
}

type DetailRow = GraphileRow & {
  last_error: string | null;
  job_key: string | null;
  revision: number;
  flags: Record<string, boolean> | null;
  updated_at: Date | string;
  payload: unknown;
  now: Date | string;
  stale: boolean;
  locked_for_seconds: number | null;
  run_in_seconds: number;
};

export async function getGraphileJob(q: Sql, schema: string, key: string): Promise<SourceJobDetail | null> {
  const id = parseGraphileKey(key);
  if (id === null) return null;
  const s = quoteIdent(schema);
  const [r] = await q.query<DetailRow>(
    `select ${ROW_COLUMNS}, j.last_error, j.key as job_key, j.revision::int as revision, j.flags, j.updated_at, now() as now,
       coalesce(${staleLockSql()}, false) as stale,
       extract(epoch from now() - j.locked_at)::float8 as locked_for_seconds,
       extract(epoch from j.run_at - now())::float8 as run_in_seconds,
       (select pj.payload from ${s}._private_jobs pj where pj.id = j.id) as payload
     from ${s}.jobs j where j.id = $1::bigint`,
    [id],
  );
  if (!r) return null;
  const job = toSourceJob(r);
  const flags = r.flags ? Object.keys(r.flags).filter((f) => r.flags![f]) : [];
  const extra = [
    { label: "graphile-worker priority", value: `${r.graphile_priority} (graphile-worker runs the lowest number first; Jobdeck shows ${job.priority})` },
    { label: "run at", value: iso(r.run_at)! },
    { label: "job key", value: r.job_key ?? "(none)" },
    { label: "revision", value: String(r.revision) },
    { label: "flags", value: flags.length ? flags.join(", ") : "(none)" },
    { label: "updated at", value: iso(r.updated_at)! },
    { label: "locked at", value: iso(r.locked_at) ?? "(not locked)" },
    { label: "locked by", value: r.locked_by ?? "(not locked)" },
  ];
  return {
    job: { ...job, payload: r.payload, result: null, lastError: r.last_error, progress: null, progressMessage: null, heartbeatAt: null },
    now: iso(r.now)!,
    isStale: r.stale,
    canRetry: job.state === "failed" || job.state === "dead",
    recoveryHint: graphileRecoveryHint({
      state: job.state,
      kind: job.kind,
      queue: r.queue,
      attempts: job.attempts,
      maxAttempts: Number(r.max_attempts),
      worker: r.locked_by,
      lockedForSeconds: r.locked_for_seconds === null ? null : Number(r.locked_for_seconds),
      runInSeconds: Number(r.run_in_seconds),
      stale: r.stale,
    }),
    workerOnline: null,
    attempts: null,
    attemptsTotal: null,
    extra,
    campaign: null,
    parent: null,
    children: { byState: {}, total: 0 },
  };
}

type LockedRow = GraphileRow & { stale: boolean; locked_for_seconds: number; overdue_seconds: number };

async function lockedJobs(q: Sql, schema: string, onlyStale: boolean): Promise<LockedRow[]> {
  return q.query<LockedRow>(
    `select ${ROW_COLUMNS}, ${staleLockSql()} as stale, extract(epoch from now() - j.locked_at)::float8 as locked_for_seconds,
       greatest(0, extract(epoch from now() - (j.locked_at + ${LOCK_TIMEOUT_SQL})))::float8 as overdue_seconds
     from ${quoteIdent(schema)}.jobs j where ${onlyStale ? staleLockSql() : "j.locked_at is not null"}
     order by j.locked_at, j.id limit $1`,
    [MAX_LOCKED_ROWS],
  );
}

/** The worker pools holding locks right now (graphile-worker keeps no other trace of its workers). */
export async function listGraphileWorkers(q: Sql, schema: string): Promise<SourceWorker[]> {
  const byWorker = new Map<string, LockedRow[]>();
  for (const r of await lockedJobs(q, schema, false)) {
    const list = byWorker.get(r.locked_by ?? "") ?? [];
    list.push(r);
    byWorker.set(r.locked_by ?? "", list);
  }
  return [...byWorker].map(([id, rows]) => ({
    id,
    hostname: null,
    pid: null,
    queues: [...new Set(rows.map((r) => r.queue).filter((x): x is string => x !== null))],
    concurrency: null,
    version: null,
    status: "unknown" as const,
    startedAt: null,
    lastHeartbeatAt: null,
    heartbeatAgeSeconds: null,
    uptimeSeconds: null,
    processed: null,
    failed: null,
    runningCount: rows.length,
    running: rows.map((r) => ({
      key: r.key,
      kind: r.kind,
      queue: r.queue ?? "",
      startedAt: iso(r.locked_at),
      lockedUntil: iso(r.locked_until),
      runtimeSeconds: Math.max(0, Math.round(Number(r.locked_for_seconds))),
      leaseExpired: r.stale,
    })),
  }));
}

/** Jobs locked longer than graphile-worker's 4 hours, oldest lock first. */
export async function listGraphileStale(q: Sql, schema: string): Promise<SourceStaleJob[]> {
  return (await lockedJobs(q, schema, true)).map((r) => ({
    key: r.key,
    kind: r.kind,
    queue: r.queue ?? "",
    worker: r.locked_by,
    startedAt: iso(r.locked_at),
    lockedUntil: iso(r.locked_until),
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    leaseExpired: true,
    workerOnline: null,
    overdueSeconds: Math.round(Number(r.overdue_seconds)),
    leaseRemainingSeconds: 0,
  }));
}

