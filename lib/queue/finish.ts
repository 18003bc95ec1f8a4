// How an attempt ends: complete, fail (retry with backoff or dead-letter), acknowledge a
// cancel, or release on shutdown. Every statement is fenced on (job id, attempt id, running):
// a late call from an attempt that lost its lease matches no row and changes nothing.
import type { Sql } from "../../db/client";
import { rollupCompletionsSql, rollupFailuresSql } from "./rollups";
import { QueueError } from "./state-machine";

export interface AttemptRef {
  jobId: number;
  attemptId: number;
}

export interface Completion extends AttemptRef {
  result?: unknown;
}

function lostLease(ref: AttemptRef): QueueError {
  return new QueueError(
    "lost_lease",
    `attempt ${ref.attemptId} of job ${ref.jobId} no longer holds the job; the call was rejected`,
    { jobId: ref.jobId },
  );
}

/**
 * Completes many attempts in one statement; returns the job ids that were accepted. The same
 * statement adds them to the per-minute job_rollups (lib/queue/rollups.ts).
 */
export async function completeMany(q: Sql, items: readonly Completion[]): Promise<number[]> {
  if (!items.length) return [];
  const rows = await q.query<{ id: number }>(
    `with done as (
       update jobs j set state = 'completed', finished_at = now(), locked_by = null, locked_until = null,
         result = d.result, progress = 1, cancel_requested_at = null
       from jsonb_to_recordset($1::jsonb) as d(id bigint, attempt_id bigint, result jsonb)
       where j.id = d.id and j.attempt_id = d.attempt_id and j.state = 'running'
       returning j.id, j.attempt_id, j.queue, j.kind,
         extract(epoch from now() - j.started_at)::float8 * 1000 as runtime_ms),
     closed as (
       update job_attempts a set finished_at = now(), outcome = 'completed'
       from done where a.id = done.attempt_id),
     rolled as (${rollupCompletionsSql("done")})
     select id from done`,
    [
      JSON.stringify(
        items.map((c) => ({ id: c.jobId, attempt_id: c.attemptId, result: c.result ?? null })),
      ),
    ],
  );
  return rows.map((r) => r.id);
}

/** Completes one attempt or throws `lost_lease`. */
export async function complete(q: Sql, c: Completion): Promise<void> {
  const accepted = await completeMany(q, [c]);
  if (!accepted.length) throw lostLease(c);
}

export interface Failure extends AttemptRef {
  error: string;
  /** Not retryable: dead-letter now, whatever attempts remain. */
  permanent?: boolean;
  /** First retry delay; it doubles per attempt, with jitter, up to `maxDelaySeconds`. */
  baseDelaySeconds?: number;
  maxDelaySeconds?: number;
}

export interface FailOutcome {
  /** `cancelled` when an operator had asked to cancel the job: a requested cancel is never retried. */
  state: "failed" | "dead" | "cancelled";
  runAt: Date;
}

/** Fails one attempt (retry or dead-letter) and counts it in job_rollups, in one statement. */
export async function fail(q: Sql, f: Failure): Promise<FailOutcome> {
  const rows = await q.query<FailOutcome>(
    `with f as (
       update jobs j set
         state = case when j.cancel_requested_at is not null then 'cancelled'
                      when $3 or j.attempts >= j.max_attempts then 'dead' else 'failed' end,
         -- exponential backoff with jitter: base * 2^(attempt-1), capped, times 0.5..1.0
         run_at = case when j.cancel_requested_at is not null or $3 or j.attempts >= j.max_attempts then j.run_at
                  else now() + make_interval(secs => least($5::float8, $4::float8 * power(2, j.attempts - 1)) * (0.5 + random() * 0.5)) end,
         finished_at = case when j.cancel_requested_at is not null or $3 or j.attempts >= j.max_attempts then now() end,
         last_error = $6, locked_by = null, locked_until = null
       where j.id = $1 and j.attempt_id = $2 and j.state = 'running'
       returning j.id, j.attempt_id, j.state, j.run_at, j.queue, j.kind),
     closed as (
       update job_attempts a set finished_at = now(), outcome = f.state, error = $6
       from f where a.id = f.attempt_id),
     rolled as (${rollupFailuresSql("f")})
     select state, run_at as "runAt" from f`,
    [
      f.jobId,
      f.attemptId,
      f.permanent ?? false,
      f.baseDelaySeconds ?? 2,
      f.maxDelaySeconds ?? 3600,
      f.error,
    ],
  );
  if (!rows.length) throw lostLease(f);
  return rows[0];
}

/** The handler stopped because an operator asked to cancel: the job ends `cancelled`. */
export async function acknowledgeCancel(q: Sql, ref: AttemptRef, error = "cancelled by operator"): Promise<void> {
  const rows = await q.query(
    `with c as (
       update jobs j set state = 'cancelled', finished_at = now(), locked_by = null, locked_until = null
       where j.id = $1 and j.attempt_id = $2 and j.state = 'running'
       returning j.attempt_id, j.queue, j.kind, j.state),
     closed as (
       update job_attempts a set finished_at = now(), outcome = 'cancelled', error = $3
       from c where a.id = c.attempt_id),
     rolled as (${rollupFailuresSql("c")})
     select 1 from c`,
    [ref.jobId, ref.attemptId, error],
  );
  if (!rows.length) throw lostLease(ref);
}

/**
 * Gives unfinished jobs back on shutdown: they return to `pending` and the interrupted attempt
 * does not count against max_attempts. Returns the ids released.
 */
export async function release(q: Sql, refs: readonly AttemptRef[], reason = "released at worker shutdown"): Promise<number[]> {
  if (!refs.length) return [];
  const rows = await q.query<{ id: number }>(
    `with r as (
       update jobs j set
         state = case when j.cancel_requested_at is not null then 'cancelled' else 'pending' end,
         finished_at = case when j.cancel_requested_at is not null then now() end,
         attempts = greatest(j.attempts - 1, 0), run_at = now(), locked_by = null, locked_until = null
       from unnest($1::bigint[], $2::bigint[]) as x(id, attempt_id)
       where j.id = x.id and j.attempt_id = x.attempt_id and j.state = 'running'
       returning j.id, j.attempt_id),
     closed as (
       update job_attempts a set finished_at = now(), outcome = 'released', error = $3
       from r where a.id = r.attempt_id)
     select id from r`,
    [refs.map((r) => r.jobId), refs.map((r) => r.attemptId), reason],
  );
  return rows.map((r) => r.id);
}
