// Read model of the admin jobs API: the runbook's job shape (with is_stale / can_retry /
// recovery_hint from lib/queue/recovery), keyset pages, the queue summary, and NDJSON export
// batches. Counting never scans jobs: every state is exact, from the counters kept with the
// transitions (lib/queue/counters.ts); `by_status_capped` (always false now) and `count_cap` stay
// for clients that read them.
import type { Sql } from "../../db/client";
import type { JobCriteria, JobFilter } from "../filters/job-filter";
import { type JobListRow, jobIdsSql } from "../queries/jobs";
import { countStaleJobs } from "../queries/stale";
import { readJobCounts, readPendingTiming } from "../queue/counters";
import { workerOnlineSql } from "../queries/workers";
import { describeRecovery, type Recovery } from "../queue/recovery";
import { JOB_STATES, type JobState } from "../queue/state-machine";
import { NATIVE_SOURCE } from "../sources/types";

/** Reported as `count_cap` (a public field); the summary's counts are exact and never stop there now. */
export const COUNT_CAP = 10_000;
export const ACTIVE_STATES: readonly JobState[] = ["pending", "running", "failed"];

interface ApiJobRow extends Omit<JobListRow, "payload"> {
  cancel_requested_at: Date | null;
  worker_online: boolean | null;
  db_now: Date;
  payload?: unknown;
}

/** The runbook's job shape: the list row plus what is safe to do with it, and the key and source every source's jobs carry. */
export type ApiJob = Omit<ApiJobRow, "cancel_requested_at" | "worker_online" | "db_now"> & Recovery & { key: string; source: string; native_state: JobState };

const columns = (withPayload: boolean) => `j.id, j.kind, j.queue, j.state, j.attempts, j.max_attempts, j.priority, j.last_error,
  j.locked_by, j.locked_until, j.created_at, j.run_at, j.started_at, j.finished_at, j.campaign_id, j.cancel_requested_at,
  case when j.locked_by is null then null else coalesce(${workerOnlineSql("w")}, false) end as worker_online,
  now() as db_now${withPayload ? ", j.payload" : ""}`;

function toApiJob(r: ApiJobRow): ApiJob {
  const rec = describeRecovery(r, r.db_now, r.worker_online);
  const job: ApiJob = {
    id: r.id,
    key: String(r.id),
    source: NATIVE_SOURCE,
    kind: r.kind,
    queue: r.queue,
    state: r.state,
    native_state: r.state,
    attempts: r.attempts,
    max_attempts: r.max_attempts,
    priority: r.priority,
    last_error: r.last_error,
    locked_by: r.locked_by,
    locked_until: r.locked_until,
    is_stale: rec.is_stale,
    can_retry: rec.can_retry,
    recovery_hint: rec.recovery_hint,
    created_at: r.created_at,
    run_at: r.run_at,
    started_at: r.started_at,
    finished_at: r.finished_at,
    campaign_id: r.campaign_id,
  };
  if ("payload" in r) job.payload = r.payload;
  return job;
}

async function rowsFor(q: Sql, criteria: JobCriteria, cursor: { beforeId?: number; limit: number }, withPayload = false): Promise<ApiJob[]> {
  const params: unknown[] = [];
  const ids = jobIdsSql(criteria, cursor, params);
  const rows = await q.query<ApiJobRow>(
    `select ${columns(withPayload)} from (${ids}) p join jobs j on j.id = p.id left join workers w on w.id = j.locked_by order by j.id desc`,
    params,
  );
  return rows.map(toApiJob);
}

export async function getApiJob(q: Sql, id: number): Promise<ApiJob | null> {
  const [row] = await q.query<ApiJobRow>(`select ${columns(false)} from jobs j left join workers w on w.id = j.locked_by where j.id = $1`, [id]);
  return row ? toApiJob(row) : null;
}

export interface ApiJobsPage {
  jobs: ApiJob[];
  next_cursor: number | null;
  has_more: boolean;
}

/**
 * One page, newest id first. With `page` > 1 the page's cursor is found by walking the keyset
 * over the (page − 1) × per_page newer ids (an index range scan of ids only, bounded by
 * MAX_PAGE_DEPTH); `cursor` (beforeId) skips that walk.
 */
export async function listApiJobs(q: Sql, filter: JobFilter, page?: number): Promise<ApiJobsPage> {
  let beforeId = filter.beforeId;
  if (page !== undefined && page > 1) {
    const skip = (page - 1) * filter.limit;
    const params: unknown[] = [];
    const ids = jobIdsSql(filter, { beforeId, limit: skip }, params);
    const [r] = await q.query<{ n: number; last: number | null }>(`select count(*)::int as n, min(x.id) as last from (${ids}) x`, params);
    if (r.n < skip || r.last === null) return { jobs: [], next_cursor: null, has_more: false };
    beforeId = r.last;
  }
  const rows = await rowsFor(q, filter, { beforeId, limit: filter.limit + 1 });
  const more = rows.length > filter.limit;
  const jobs = more ? rows.slice(0, filter.limit) : rows;
  return { jobs, next_cursor: more ? jobs[jobs.length - 1].id : null, has_more: more };
}

/** Export: the matching jobs with payload, newest first, in keyset batches. */
export async function* exportJobs(q: Sql, criteria: JobCriteria, opts: { beforeId?: number; limit: number; batchSize?: number }): AsyncGenerator<ApiJob[]> {
  const size = opts.batchSize ?? 1_000;
  let beforeId = opts.beforeId;
  let left = opts.limit;
  while (left > 0) {
    const rows = await rowsFor(q, criteria, { beforeId, limit: Math.min(size, left) }, true);
    if (!rows.length) return;
    yield rows;
    left -= rows.length;
    beforeId = rows[rows.length - 1].id;
    if (rows.length < Math.min(size, left + rows.length)) return;
  }
}

export interface JobsSummary {
  by_status: Record<string, number>;
  by_status_capped: Record<string, boolean>;
  count_cap: number;
  by_kind: Record<string, number>;
  by_kind_states: JobState[];
  oldest_pending_age_minutes: number | null;
  stale_jobs_count: number;
  estimated_total_jobs: number | null;
  /** When these numbers were computed (shared between requests for a few seconds at most: SUMMARY_MAX_AGE_MS). */
  as_of: string;
}

// Scripts and dashboards poll the list many times a second; the summary (a few ms from the
// counters, more when the database is busy) is computed at most once per SUMMARY_TTL_MS per
// process and shared, and no request waits for a refresh while the previous summary is younger
// than SUMMARY_MAX_AGE_MS: it gets that one (`as_of` says when it was computed) while one
// refresh runs, so a slow database never queues every list request behind one recount.
const SUMMARY_TTL_MS = 1_000;
export const SUMMARY_MAX_AGE_MS = 5_000;
let lastSummary: { at: number; value: JobsSummary } | null = null;
let refreshing: Promise<JobsSummary> | null = null;

/** The summary, computed at most once per SUMMARY_TTL_MS per process, at most SUMMARY_MAX_AGE_MS old. */
export function getJobsSummaryShared(q: Sql): Promise<JobsSummary> {
  const now = Date.now();
  const last = lastSummary;
  const age = last ? now - last.at : Infinity;
  if (last && age < SUMMARY_TTL_MS) return Promise.resolve(last.value);
  if (!refreshing) {
    const refresh = getJobsSummary(q).then((value) => {
      if (!lastSummary || lastSummary.at < now) lastSummary = { at: now, value };
      return value;
    });
    refreshing = refresh;
    // A failure is not kept: the next request tries again (and whoever waited gets the error).
    refresh.then(
      () => (refreshing = null),
      () => (refreshing = null),
    );
  }
  return last && age < SUMMARY_MAX_AGE_MS ? Promise.resolve(last.value) : refreshing;
}

/** The runbook's summary, over all jobs (the list's filter does not narrow it). */
export async function getJobsSummary(q: Sql): Promise<JobsSummary> {
  const asOf = new Date().toISOString();
  const [counts, scalars, stale] = await Promise.all([
    readJobCounts(q),
    q.query<{ reltuples: number | null }>("select reltuples::float8 as reltuples from pg_class where oid = 'jobs'::regclass"),
    countStaleJobs(q),
  ]);
  const timing = await readPendingTiming(q, counts);
  const by_status: Record<string, number> = Object.fromEntries(JOB_STATES.map((s) => [s, 0]));
  const by_kind: Record<string, number> = {};
  for (const r of counts) {
    by_status[r.state] += r.n;
    if (ACTIVE_STATES.includes(r.state)) by_kind[r.kind] = (by_kind[r.kind] ?? 0) + r.n;
  }
  const by_status_capped: Record<string, boolean> = Object.fromEntries(JOB_STATES.map((s) => [s, false]));
  const ages = [...timing.oldestByQueue.values()];
  const oldest = ages.length ? Math.max(...ages) / 60 : null;
  const rel = scalars[0]?.reltuples;
  return {
    by_status,
    by_status_capped,
    count_cap: COUNT_CAP,
    by_kind,
    by_kind_states: [...ACTIVE_STATES],
    oldest_pending_age_minutes: oldest == null ? null : Math.max(0, Math.round(oldest * 10) / 10),
    stale_jobs_count: stale,
    estimated_total_jobs: rel == null || rel < 0 ? null : Math.round(rel),
    as_of: asOf,
  };
}
