// graphile-worker keeps no state column: a job's state follows from its lock, attempts and
// run_at, exactly as graphile-worker's own get_job and reset-locked logic read them. This file
// is the one place that derivation lives (as SQL over the `jobs` view, alias `j`), with the
// legend the UI shows. Completed jobs are deleted by graphile-worker, so no row is ever
// `completed`; graphile-worker has no cancelled state, so a job cancelled through Jobdeck is
// permanently failed (dead) with the reason as its last error.
import type { JobState } from "../../queue/state-machine";

/** graphile-worker treats a lock older than this as abandoned (its resetLockedAt, complete_jobs, reschedule_jobs). */
export const LOCK_TIMEOUT_SQL = "interval '4 hours'";
export const LOCK_TIMEOUT_SECONDS = 4 * 3600;

/** The Jobdeck state of row `j`: it does not depend on the clock (a failed job stays failed once its retry is due). */
export function stateSql(): string {
  return `(case when j.locked_at is not null then 'running'
    when j.attempts >= j.max_attempts then 'dead'
    when j.attempts > 0 then 'failed'
    else 'pending' end)`;
}

/** Like stateSql, with locks past the 4 h mark apart as 'stale': what an action may find a job as. */
export function actionClassSql(): string {
  return `(case when j.locked_at is not null then (case when ${staleLockSql()} then 'stale' else 'running' end)
    when j.attempts >= j.max_attempts then 'dead'
    when j.attempts > 0 then 'failed'
    else 'pending' end)`;
}

/** graphile-worker's own wording for row `j`, shown beside the Jobdeck state. */
export function nativeStateSql(now = "now()"): string {
  return `(case when j.locked_at is not null then (case when j.locked_at < ${now} - ${LOCK_TIMEOUT_SQL} then 'lock expired' else 'locked' end)
    when j.attempts >= j.max_attempts then 'permanently failed'
    when j.attempts > 0 then (case when j.run_at > ${now} then 'retry scheduled' else 'retry due' end)
    else (case when j.run_at > ${now} then 'scheduled' else 'waiting' end) end)`;
}

/** A boolean SQL condition: row `j` is in `state`. completed and cancelled never match. */
export function stateConditionSql(state: JobState): string {
  switch (state) {
    case "running":
      return "j.locked_at is not null";
    case "dead":
      // attempts > 0 always holds here (max_attempts >= 1 is a check constraint); said outright
      // so the opt-in partial index on attempted jobs (README) can serve this state too.
      return "(j.locked_at is null and j.attempts >= j.max_attempts and j.attempts > 0)";
    case "failed":
      return "(j.locked_at is null and j.attempts > 0 and j.attempts < j.max_attempts)";
    case "pending":
      return "(j.locked_at is null and j.attempts = 0)";
    case "completed":
    case "cancelled":
      return "false";
  }
}

export function statesConditionSql(states: readonly JobState[]): string | null {
  if (!states.length) return null;
  return `(${states.map(stateConditionSql).join(" or ")})`;
}

/** A lock older than graphile-worker's 4 hours: the worker is presumed gone. */
export function staleLockSql(now = "now()"): string {
  return `(j.locked_at < ${now} - ${LOCK_TIMEOUT_SQL})`;
}

export const GRAPHILE_STATE_MAP: { native: string; state: JobState; note?: string }[] = [
  { native: "waiting", state: "pending", note: "never attempted and due: the next free worker takes it (lowest priority number, then run_at)" },
  { native: "scheduled", state: "pending", note: "never attempted; run_at is in the future" },
  { native: "locked", state: "running", note: "locked by a worker (locked_by) within the last 4 hours: it is being run" },
  {
    native: "lock expired",
    state: "running",
    note: "locked more than 4 hours ago: graphile-worker presumes the worker gone (stale) and its workers release such locks every 8-10 minutes",
  },
  { native: "retry scheduled", state: "failed", note: "attempted and failed with attempts left; graphile-worker retries it at run_at (exponential back-off)" },
  { native: "retry due", state: "failed", note: "attempted and failed with attempts left; its retry is due and waits for a worker" },
  {
    native: "permanently failed",
    state: "dead",
    note: "attempts reached max_attempts; graphile-worker never runs it again. Jobs cancelled in Jobdeck end here too (graphile-worker has no cancelled state): their last error says who cancelled them and why",
  },
  { native: "(deleted)", state: "completed", note: "graphile-worker deletes a job when it succeeds: completed jobs are never listed" },
];
