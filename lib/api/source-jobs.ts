// Another source's jobs in the API's shapes (lib/api/response-schemas): the runbook's job fields
// in snake_case, with `id` = `key` (a string) and `source`; its summary under the native
// summary's field names (null where the source cannot say); skip reasons counted the way the
// native bulk response counts them. Translation only: every read goes through the Source.
import { JOB_STATES } from "../queue/state-machine";
import type { Redaction } from "../redact";
import type { SourceJob, SourceJobDetail, SourceSummary } from "../sources/types";

/** Jobdeck's clock judges a list row's lease (the detail has the source's own verdict). */
function staleByClock(j: SourceJob, now: number): boolean | null {
  if (j.state !== "running") return false;
  return j.lockedUntil === null ? null : Date.parse(j.lockedUntil) < now;
}

/** A list row: can_retry and recovery_hint are the detail's (null here). */
export function foreignApiJob(source: string, j: SourceJob, now = Date.now()) {
  return {
    id: j.key,
    key: j.key,
    source,
    kind: j.kind,
    queue: j.queue,
    state: j.state,
    native_state: j.nativeState,
    attempts: j.attempts,
    max_attempts: j.maxAttempts,
    priority: j.priority,
    last_error: j.errorLine,
    locked_by: j.state === "running" ? j.worker : null,
    locked_until: j.lockedUntil,
    is_stale: staleByClock(j, now),
    can_retry: null as boolean | null,
    recovery_hint: null as string | null,
    created_at: j.createdAt,
    run_at: j.runAt,
    started_at: j.startedAt,
    finished_at: j.finishedAt,
    campaign_id: null,
  };
}

/** A job read in full: the whole last error and the source's own stale/retry verdicts. */
export function foreignDetailJob(source: string, d: SourceJobDetail) {
  return {
    ...foreignApiJob(source, d.job),
    last_error: d.job.lastError,
    is_stale: d.isStale,
    can_retry: d.canRetry,
    recovery_hint: d.recoveryHint,
  };
}

/** GET /api/v1/admin/jobs/{key}?source=…: the native detail's fields, plus what the source adds. */
export function foreignDetailBody(source: string, d: SourceJobDetail, r: Redaction) {
  return {
    source,
    job: {
      ...foreignDetailJob(source, d),
      payload: r.json(d.job.payload),
      result: r.json(d.job.result),
      progress: d.job.progress,
      cancel_requested_at: null,
      parent_id: null,
      progress_message: d.job.progressMessage,
      heartbeat_at: d.job.heartbeatAt,
      extra: d.extra,
    },
    attempts:
      d.attempts?.map((a) => ({ attempt: a.attempt, worker_id: a.worker, started_at: a.startedAt, finished_at: a.finishedAt, outcome: a.outcome, error: a.error })) ?? null,
    attempts_total: d.attemptsTotal,
    worker_online: d.workerOnline,
  };
}

/** The list's summary from source.summary(), under the native field names. */
export function foreignSummary(s: SourceSummary) {
  const byStatus: Record<string, number | null> = {};
  const capped: Record<string, boolean | null> = {};
  for (const state of JOB_STATES) {
    const c = s.counts[state];
    byStatus[state] = c ? c.value : null;
    capped[state] = c ? c.capped : null;
  }
  return {
    by_status: byStatus,
    by_status_capped: capped,
    count_cap: null,
    by_kind: null,
    by_kind_states: null,
    oldest_pending_age_minutes: s.oldestPendingAgeSeconds === null ? null : Math.max(0, Math.round((s.oldestPendingAgeSeconds / 60) * 10) / 10),
    stale_jobs_count: s.stale,
    estimated_total_jobs: null,
    as_of: s.asOf,
  };
}

export { countSkipped } from "../sources/capabilities";
