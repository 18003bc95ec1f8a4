// Operator actions on jobs by id: retry, cancel, change priority, run now. Each is one
// set-based statement whose allowed source states come from the state machine; jobs in any
// other state are reported as skipped (with their state), never touched.
import type { Sql } from "../../db/client";
import { prioritySchema } from "./job-spec";
import { illegalTransition, type JobState, type Operation, QueueError, sourceStatesSql } from "./state-machine";

export interface SkippedJob {
  id: number;
  state: JobState;
  reason: string;
}

export interface BulkResult {
  /** Jobs the action changed. */
  affected: number[];
  /** Running jobs that were asked to cancel (cancel only). */
  cancelRequested: number[];
  skipped: SkippedJob[];
  notFound: number[];
}

async function applyToIds(q: Sql, op: Operation, ids: readonly number[], set: string, params: unknown[] = []): Promise<BulkResult> {
  const unique = [...new Set(ids)];
  const changed = await q.query<{ id: number }>(
    `update jobs j set ${set}
     where j.id = any($1::bigint[]) and j.state in ${sourceStatesSql(op)}
     returning j.id`,
    [unique, ...params],
  );
  const result: BulkResult = { affected: changed.map((r) => r.id).sort((a, b) => a - b), cancelRequested: [], skipped: [], notFound: [] };
  if (result.affected.length === unique.length) return result;
  await reportRest(q, op, unique, new Set(result.affected), result);
  return result;
}

async function reportRest(q: Sql, op: Operation, ids: number[], done: Set<number>, result: BulkResult) {
  const rest = ids.filter((id) => !done.has(id));
  const rows = await q.query<{ id: number; state: JobState }>(
    "select id, state from jobs where id = any($1::bigint[]) order by id",
    [rest],
  );
  const found = new Set(rows.map((r) => r.id));
  result.notFound = rest.filter((id) => !found.has(id)).sort((a, b) => a - b);
  result.skipped = rows.map((r) => ({ id: r.id, state: r.state, reason: skipReason(op, r.state) }));
}

function skipReason(op: Operation, state: JobState): string {
  if (state === "running" && op.startsWith("retry")) return "running jobs are never retried";
  if (state === "completed" && op === "retry") return "completed; retry it explicitly to run it again";
  return `${state} jobs cannot ${op === "runNow" ? "be run now" : op === "setPriority" ? "change priority" : `be ${op === "cancel" ? "cancelled" : "retried"}`}`;
}

export interface RetryOptions {
  /** Also re-run completed jobs. */
  includeCompleted?: boolean;
}

/**
 * Failed, dead and cancelled jobs go back to `pending` now. `last_error` and the attempt
 * history stay; `attempts` restarts at 0 so the normal backoff starts again.
 */
export function retryJobs(q: Sql, ids: readonly number[], opts: RetryOptions = {}): Promise<BulkResult> {
  return applyToIds(
    q,
    opts.includeCompleted ? "retryCompleted" : "retry",
    ids,
    `state = 'pending', attempts = 0, run_at = now(), started_at = null, finished_at = null,
     locked_by = null, locked_until = null, cancel_requested_at = null, progress = null, progress_message = null`,
  );
}

/**
 * Pending and failed jobs become `cancelled`; running jobs get a cancel request that their
 * worker sees at its next heartbeat (it aborts the handler and acknowledges).
 */
export async function cancelJobs(q: Sql, ids: readonly number[]): Promise<BulkResult> {
  const result = await applyToIds(q, "cancel", ids, "state = 'cancelled', finished_at = now()");
  const candidates = result.skipped.filter((s) => s.state === "running").map((s) => s.id);
  if (!candidates.length) return result;
  const requested = await q.query<{ id: number }>(
    `update jobs j set cancel_requested_at = coalesce(j.cancel_requested_at, now())
     where j.id = any($1::bigint[]) and j.state in ${sourceStatesSql("requestCancel")}
     returning j.id`,
    [candidates],
  );
  const req = new Set(requested.map((r) => r.id));
  result.cancelRequested = [...req].sort((a, b) => a - b);
  result.skipped = result.skipped.filter((s) => !req.has(s.id));
  return result;
}

export function setPriority(q: Sql, ids: readonly number[], priority: number): Promise<BulkResult> {
  const parsed = prioritySchema.safeParse(priority);
  if (!parsed.success) throw new QueueError("invalid_input", parsed.error.issues[0].message);
  return applyToIds(q, "setPriority", ids, "priority = $2", [priority]);
}

/** Scheduled or backing-off jobs become ready now. */
export function runNow(q: Sql, ids: readonly number[]): Promise<BulkResult> {
  return applyToIds(q, "runNow", ids, "run_at = least(j.run_at, now())");
}

/** For single-job callers: turns a skip or a miss into the typed error it stands for. */
export function expectApplied(op: Operation, id: number, result: BulkResult): BulkResult {
  if (result.notFound.includes(id)) throw new QueueError("not_found", `job ${id} does not exist`, { jobId: id });
  const skipped = result.skipped.find((s) => s.id === id);
  if (skipped) throw illegalTransition(op, id, skipped.state);
  return result;
}
