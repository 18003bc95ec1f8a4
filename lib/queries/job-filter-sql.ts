// The job filter (lib/filters/job-filter) as SQL conditions over `jobs j`, each written so an
// index serves it (migration 0009_filter_indexes and the ones before it):
// - errorPrefix / errorContains: LIKE / ILIKE with the user's text escaped, which the trigram
//   index on last_error serves (starts_with and strpos cannot use an index);
// - created / finished ranges: also as a range of job ids (ids grow with time, see ID_TIME_SKEW),
//   so the list walks only the primary key between the range's ends;
// - payload: jsonb @>, tested row by row newest first, with no index on purpose: a GIN
//   jsonb_path_ops index cost 7% of claim+complete throughput (`npm run bench:queue`, 4 workers;
//   every transition is a new row version of every index) for a filter operators use now and then.
//   A common value is found within the first pages; a rare one is bounded by the statement
//   timeout, whose message asks for a narrower time range (created ranges are id ranges, cheap);
// - worker: jobIdsSql (lib/queries/jobs) walks that worker's attempts instead (workerWalkSql).
import type { JobCriteria, TimeBound } from "../filters/job-filter";

export type Param = (v: unknown) => string;

/** `p(value)` pushes `value` onto `params` and returns its placeholder (`$3`). */
export function pusher(params: unknown[]): Param {
  return (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
}

/** `now() - 10h` or an absolute instant, as SQL. */
function boundSql(b: TimeBound, p: Param): string {
  return "ago" in b ? `now() - make_interval(secs => ${p(b.ago)})` : `${p(b.at.toISOString())}::timestamptz`;
}

/** `text` as a LIKE pattern that matches exactly itself: `\`, `%` and `_` escaped (LIKE's default escape is `\`). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * How far a job's created_at may lie before the moment its id was drawn: created_at is now(), the
 * start of the enqueuing transaction, and ids are drawn in time order. So every job created before
 * T - skew has a smaller id than every job created after T, and a time range maps to an id range
 * by one probe of jobs_created_at_idx per end, padded by the skew. Exact as long as no enqueuing
 * transaction stays open longer than this before it inserts; the padding costs the rows enqueued
 * in that much time at each end of the range (the time predicate itself is always kept).
 */
export const ID_TIME_SKEW = "10 minutes";

/** SQL for an id below every job created at or after `t` (0 when every job is). */
function idBelowCreated(t: string): string {
  return `coalesce((select b.id from jobs b where b.created_at < ${t} - interval '${ID_TIME_SKEW}' order by b.created_at desc limit 1), 0)`;
}

/** SQL for an id above every job created before `t` (the largest bigint when none is after it). */
function idAboveCreated(t: string): string {
  return `coalesce((select b.id from jobs b where b.created_at >= ${t} + interval '${ID_TIME_SKEW}' order by b.created_at limit 1), 9223372036854775807)`;
}

/**
 * The criteria's conditions except `states`, each a SQL boolean over alias `j`. With `walk` (the
 * conditions of a worker walk, workerWalkSql) the worker is the caller's join, and the id bounds
 * go onto the walk's `wa.job_id`, where its index scan can use them.
 */
export function criteriaConditions(filter: JobCriteria, p: Param, opts: { walk?: string[] } = {}): string[] {
  const where: string[] = [];
  const idBound = (cond: string) => (opts.walk ? opts.walk.push(`wa.job_id ${cond}`) : where.push(`j.id ${cond}`));
  if (filter.id !== undefined) where.push(`j.id = ${p(filter.id)}`);
  if (filter.kind !== undefined) where.push(`j.kind = ${p(filter.kind)}`);
  if (filter.queue !== undefined) where.push(`j.queue = ${p(filter.queue)}`);
  if (filter.campaignId !== undefined) where.push(`j.campaign_id = ${p(filter.campaignId)}`);
  if (filter.worker !== undefined) {
    // The worker of the job's current attempt: for a running job that is locked_by (claim sets
    // both), for a finished one the worker of its last attempt; never a pending (retried) job.
    where.push(
      opts.walk
        ? `j.state <> 'pending'`
        : `j.state <> 'pending' and exists (select 1 from job_attempts a where a.id = j.attempt_id and a.worker_id = ${p(filter.worker)})`,
    );
  }
  if (filter.sinceSeconds !== undefined) {
    // "Updated within": the latest of the times a job records (finished, started, created).
    where.push(`coalesce(j.finished_at, j.started_at, j.created_at) >= now() - make_interval(secs => ${p(filter.sinceSeconds)})`);
  }
  if (filter.createdSince) {
    const t = boundSql(filter.createdSince, p);
    where.push(`j.created_at >= ${t}`);
    idBound(`> ${idBelowCreated(t)}`);
  }
  if (filter.createdUntil) {
    const t = boundSql(filter.createdUntil, p);
    where.push(`j.created_at < ${t}`);
    idBound(`< ${idAboveCreated(t)}`);
  }
  // A job finishes after it was created, so "finished before t" is also "created before t";
  // "finished since t" bounds no id (an old job may finish now): jobs_finished_at_idx serves it.
  if (filter.finishedSince) where.push(`j.finished_at >= ${boundSql(filter.finishedSince, p)}`);
  if (filter.finishedUntil) {
    const t = boundSql(filter.finishedUntil, p);
    where.push(`j.finished_at < ${t}`);
    idBound(`< ${idAboveCreated(t)}`);
  }
  if (filter.errorPrefix !== undefined) where.push(`j.last_error like ${p(`${likeLiteral(filter.errorPrefix)}%`)}`);
  // ILIKE compares lower(text) with lower(pattern): the same test as strpos(lower(..), lower(..)) > 0.
  if (filter.errorContains !== undefined) where.push(`j.last_error ilike ${p(`%${likeLiteral(filter.errorContains)}%`)}`);
  if (filter.payloadContains !== undefined) where.push(`j.payload @> ${p(JSON.stringify(filter.payloadContains))}::jsonb`);
  return where;
}

/**
 * Conditions (always true) that an ordered list of ids adds so its own indexes apply: with an
 * error filter, `id > 0` lets it walk jobs_error_id_idx, the jobs that have an error newest first
 * (see migration 0009_filter_indexes for why counts do not get it).
 */
export function orderedWalkConditions(filter: JobCriteria): string[] {
  return filter.errorPrefix !== undefined || filter.errorContains !== undefined ? ["j.id > 0"] : [];
}

/**
 * FROM of a list filtered by worker: that worker's attempts, newest job first (job_attempts_worker_job_idx,
 * bounded by the `walk` conditions on wa.job_id), joined to the jobs whose current attempt each one
 * is. The walk is a subquery with its own order (offset 0 keeps it one): the planner cannot
 * estimate how many attempts are current, and guessing few it would join every one of them before
 * sorting. It may still read that worker's attempts whole and sort them: bounded by the worker's
 * history, never the table.
 */
export function workerWalkSql(worker: string, order: "asc" | "desc", walk: string[], p: Param): string {
  const where = [`wa.worker_id = ${p(worker)}`, ...walk].join(" and ");
  return `(select wa.job_id, wa.id from job_attempts wa where ${where} order by wa.job_id ${order} offset 0) wa
    join jobs j on j.id = wa.job_id and j.attempt_id = wa.id`;
}
