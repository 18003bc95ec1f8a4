// Job lists: one filter (lib/filters/job-filter) turned into parameterized SQL, newest id first,
// with keyset cursors (`beforeId` for the next page, `afterId` for the previous one) so every
// page is an index range scan, never an OFFSET. Shared by the CLI, the pages, the API and the
// bulk actions (lib/operations/bulk). No `import "server-only"` here: the CLI (plain Node)
// imports this module too, and that marker package throws outside React server builds.
//
// Index use at 1M jobs (see `npm run bench` for the plans):
// - no state: a backward scan of the primary key, stopping after `limit` matches;
// - one state: jobs_state_id_idx (state, id), or jobs_kind_state_id_idx with a kind;
// - several states: one ordered range scan per state (unnest + lateral), merged and cut to
//   `limit` — `state = any(...)` cannot walk (state, id) in id order and would sort every
//   matching row (all 960k completed ones, say);
// - a worker: that worker's attempts newest job first (job_attempts_worker_job_idx);
// - the other filters: see lib/queries/job-filter-sql (trigram, id ranges from time ranges).
import type { Sql } from "../../db/client";
import type { JobCriteria, JobFilter } from "../filters/job-filter";
import { JOB_STATES, type JobState } from "../queue/state-machine";
import { criteriaConditions, orderedWalkConditions, type Param, pusher, workerWalkSql } from "./job-filter-sql";

export interface JobListRow {
  id: number;
  kind: string;
  queue: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  priority: number;
  payload: unknown;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Date | null;
  created_at: Date;
  run_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  campaign_id: number | null;
}

export interface JobListPage {
  jobs: JobListRow[];
  /** Pass as `beforeId` for the next page; null on the last page. */
  nextBeforeId: number | null;
}

/** The WHERE clause of a filter (without cursor or limit); pushes its values onto `params`. */
export function jobFilterWhere(filter: JobCriteria, params: unknown[]): string {
  const p = pusher(params);
  const where = [...stateConditions(filter, p), ...criteriaConditions(filter, p)];
  return where.length ? where.join(" and ") : "true";
}

function stateConditions(filter: JobCriteria, p: Param): string[] {
  if (filter.states.length === 1) return [`j.state = ${p(filter.states[0])}`];
  if (filter.states.length > 1) return [`j.state = any(${p(filter.states)}::text[])`];
  return [];
}

export interface JobIdsQuery {
  /** Only ids below this one (next page). */
  beforeId?: number;
  /** Only ids above this one (previous page); the order is then ascending. */
  afterId?: number;
  limit: number;
}

/**
 * `select id` of the jobs matching `criteria`, in keyset order (newest first; oldest first with
 * `afterId`), at most `limit`: an ordered index range scan whatever the states.
 */
export function jobIdsSql(criteria: JobCriteria, cursor: JobIdsQuery, params: unknown[]): string {
  const p = pusher(params);
  const order = cursor.afterId !== undefined ? "asc" : "desc";
  const cursorOn = (key: string) => [
    ...(cursor.beforeId !== undefined ? [`${key} < ${p(cursor.beforeId)}`] : []),
    ...(cursor.afterId !== undefined ? [`${key} > ${p(cursor.afterId)}`] : []),
  ];
  if (criteria.worker !== undefined) {
    const walk = cursorOn("wa.job_id");
    const where = [...stateConditions(criteria, p), ...criteriaConditions(criteria, p, { walk })];
    const from = workerWalkSql(criteria.worker, order, walk, p);
    return `select j.id from ${from} where ${where.join(" and ")} order by wa.job_id ${order} limit ${p(cursor.limit)}`;
  }
  const conds = [...criteriaConditions(criteria, p), ...orderedWalkConditions(criteria), ...cursorOn("j.id")];
  const limit = p(cursor.limit);
  // A kind in every state is a walk of (kind, state, id) per state too: walking the primary key
  // and skipping other kinds read every newer job (100,000 newer campaign items cost 0.5 s at 10M).
  const states = criteria.states.length === 0 && criteria.kind !== undefined ? JOB_STATES : criteria.states;
  if (states.length > 1) {
    const rest = conds.length ? ` and ${conds.join(" and ")}` : "";
    return `select x.id from unnest(${p(states)}::text[]) as st(state)
      cross join lateral (select j.id from jobs j where j.state = st.state${rest} order by j.id ${order} limit ${limit}) x
      order by x.id ${order} limit ${limit}`;
  }
  const where = [...stateConditions(criteria, p), ...conds];
  return `select j.id from jobs j where ${where.length ? where.join(" and ") : "true"} order by j.id ${order} limit ${limit}`;
}

const LIST_COLUMNS = `j.id, j.kind, j.queue, j.state, j.attempts, j.max_attempts, j.priority, j.payload,
  j.last_error, j.locked_by, j.locked_until, j.created_at, j.run_at, j.started_at, j.finished_at, j.campaign_id`;

/** One page of jobs matching the filter, newest id first. */
export async function listJobs(q: Sql, filter: JobFilter): Promise<JobListPage> {
  const params: unknown[] = [];
  const ids = jobIdsSql(filter, { beforeId: filter.beforeId, limit: filter.limit + 1 }, params);
  const rows = await q.query<JobListRow>(
    `select ${LIST_COLUMNS} from (${ids}) p join jobs j on j.id = p.id order by j.id desc`,
    params,
  );
  const more = rows.length > filter.limit;
  const jobs = more ? rows.slice(0, filter.limit) : rows;
  return { jobs, nextBeforeId: more ? jobs[jobs.length - 1].id : null };
}

/**
 * Ids of the jobs matching the filter, newest first, at most `filter.limit`: the input of a
 * bulk action on "everything matching this filter" (walk pages with `beforeId`).
 */
export async function selectJobIds(q: Sql, filter: JobFilter): Promise<number[]> {
  const params: unknown[] = [];
  const rows = await q.query<{ id: number }>(jobIdsSql(filter, { beforeId: filter.beforeId, limit: filter.limit }, params), params);
  return rows.map((r) => r.id);
}

/** A row of the Jobs page: what the table shows, computed by the database (one clock). */
export interface JobPageRow {
  id: number;
  kind: string;
  queue: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  priority: number;
  /** running: the worker holding the lease (locked_by); failed/finished: the worker of its last attempt; pending: null. */
  worker: string | null;
  created_at: Date;
  run_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  locked_until: Date | null;
  cancel_requested: boolean;
  campaign_id: number | null;
  /** Seconds since created_at. */
  age_seconds: number;
  /** Finished − started (of the last attempt); now − started while running; null when it never started. */
  runtime_ms: number | null;
  /** First line of last_error, at most 300 characters. */
  error_line: string | null;
}

export interface JobsPage {
  jobs: JobPageRow[];
  /** `beforeId` of the next (older) page; null on the last page. */
  nextBeforeId: number | null;
  /** `afterId` of the previous (newer) page; null on the first page. */
  prevAfterId: number | null;
}

const PAGE_COLUMNS = `j.id, j.kind, j.queue, j.state, j.attempts, j.max_attempts, j.priority,
  case when j.state = 'running' then j.locked_by when j.state = 'pending' then null else a.worker_id end as worker,
  j.created_at, j.run_at, j.started_at, j.finished_at, j.locked_until, j.cancel_requested_at is not null as cancel_requested,
  j.campaign_id, extract(epoch from now() - j.created_at)::float8 as age_seconds,
  (case when j.started_at is null then null
        when j.state = 'running' then extract(epoch from now() - j.started_at)
        else extract(epoch from coalesce(j.finished_at, a.finished_at) - j.started_at) end * 1000)::float8 as runtime_ms,
  left(split_part(j.last_error, E'\\n', 1), 300) as error_line`;

async function pageRows(q: Sql, criteria: JobCriteria, cursor: JobIdsQuery): Promise<JobPageRow[]> {
  const params: unknown[] = [];
  const ids = jobIdsSql(criteria, cursor, params);
  return q.query<JobPageRow>(
    `select ${PAGE_COLUMNS}
     from (${ids}) p join jobs j on j.id = p.id left join job_attempts a on a.id = j.attempt_id
     order by j.id desc`,
    params,
  );
}

/**
 * The Jobs page: rows newest first with keyset cursors both ways. Stable under inserts: new
 * jobs get larger ids, so they never shift an older page. A previous page (`afterId`) that
 * reaches the newest jobs is returned as the first page (full, with no previous link).
 */
export async function listJobsPage(q: Sql, filter: JobFilter): Promise<JobsPage> {
  const n = filter.limit;
  if (filter.afterId !== undefined) {
    const rows = await pageRows(q, filter, { afterId: filter.afterId, limit: n + 1 }); // newest first, n+1 oldest above afterId
    if (rows.length > n) {
      const jobs = rows.slice(1); // drop the newest: it belongs to an even newer page
      return { jobs, nextBeforeId: jobs[jobs.length - 1].id, prevAfterId: jobs[0].id };
    }
    return listJobsPage(q, { ...filter, afterId: undefined, beforeId: undefined });
  }
  const rows = await pageRows(q, filter, { beforeId: filter.beforeId, limit: n + 1 });
  const more = rows.length > n;
  const jobs = more ? rows.slice(0, n) : rows;
  const prevAfterId = filter.beforeId === undefined ? null : jobs.length ? jobs[0].id : filter.beforeId - 1;
  return { jobs, nextBeforeId: more ? jobs[jobs.length - 1].id : null, prevAfterId };
}

/** Exact number of jobs matching the criteria, by state (states with none are absent). */
export async function countJobsByState(q: Sql, criteria: JobCriteria): Promise<Partial<Record<JobState, number>>> {
  const params: unknown[] = [];
  const rows = await q.query<{ state: JobState; n: number }>(
    `select j.state, count(*)::int as n from jobs j where ${jobFilterWhere(criteria, params)} group by j.state`,
    params,
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/**
 * How many jobs match, counting at most `cap` + 1 ids along the list's own ordered index scan:
 * `{ value: cap, capped: true }` means "more than cap". Never an unbounded count.
 */
export async function countJobsCapped(q: Sql, criteria: JobCriteria, cap: number): Promise<{ value: number; capped: boolean }> {
  const params: unknown[] = [];
  const ids = jobIdsSql(criteria, { limit: cap + 1 }, params);
  const [row] = await q.query<{ n: number }>(`select count(*)::int as n from (${ids}) x`, params);
  const n = Number(row?.n ?? 0);
  return n > cap ? { value: cap, capped: true } : { value: n, capped: false };
}
