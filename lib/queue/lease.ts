// Leases: a worker extends the leases it holds (learning of cancel requests on the way), and
// anyone may recover jobs whose lease expired because their worker died or hung.
import type { Sql } from "../../db/client";
import type { AttemptRef } from "./finish";
import { sourceStatesSql } from "./state-machine";

export interface HeartbeatResult {
  /** Leases still held and extended. */
  held: number[];
  /** Held jobs an operator asked to cancel: the worker should abort them. */
  cancelRequested: number[];
  /** Attempts that no longer hold their job: the worker must stop working on them. */
  lost: number[];
}

export interface Progress {
  fraction: number;
  message?: string | null;
}

export async function heartbeat(
  q: Sql,
  refs: readonly (AttemptRef & { progress?: Progress })[],
  leaseSeconds: number,
): Promise<HeartbeatResult> {
  if (!refs.length) return { held: [], cancelRequested: [], lost: [] };
  const rows = await q.query<{ id: number; cancel: boolean }>(
    `update jobs j set locked_until = now() + make_interval(secs => $1), heartbeat_at = now(),
       progress = coalesce(x.progress, j.progress), progress_message = coalesce(x.message, j.progress_message)
     from jsonb_to_recordset($2::jsonb) as x(id bigint, attempt_id bigint, progress real, message text)
     where j.id = x.id and j.attempt_id = x.attempt_id and j.state = 'running'
     returning j.id, j.cancel_requested_at is not null as cancel`,
    [
      leaseSeconds,
      JSON.stringify(
        refs.map((r) => ({
          id: r.jobId,
          attempt_id: r.attemptId,
          progress: r.progress?.fraction ?? null,
          message: r.progress?.message ?? null,
        })),
      ),
    ],
  );
  const held = new Set(rows.map((r) => r.id));
  return {
    held: [...held],
    cancelRequested: rows.filter((r) => r.cancel).map((r) => r.id),
    lost: refs.map((r) => r.jobId).filter((id) => !held.has(id)),
  };
}

export interface RecoverOptions {
  /** Only these jobs (still only if their lease expired). */
  ids?: readonly number[];
  /** Only this worker's jobs (still only if their lease expired, unless `force`). */
  lockedBy?: string;
  /**
   * With `lockedBy`: also the jobs whose lease has not expired yet. Only for a worker known to be
   * gone — one that is merely paused (GC, network) still runs them, and they would run twice.
   * The caller decides that the worker is offline.
   */
  force?: boolean;
  limit?: number;
}

export interface RecoveredJob {
  id: number;
  state: "pending" | "dead" | "cancelled";
  lockedBy: string | null;
  /** False when a forced recovery released a lease that had not expired yet. */
  leaseExpired: boolean;
}

/**
 * Expired leases go back to `pending` (or `dead` when no attempts remain, `cancelled` when a
 * cancel was requested). The lost attempt is closed as `lost` so the history keeps it.
 */
export async function recoverStale(q: Sql, opts: RecoverOptions = {}): Promise<RecoveredJob[]> {
  const where: string[] = [`j.state in ${sourceStatesSql("recoverStale")}`];
  const params: unknown[] = [];
  if (opts.lockedBy !== undefined) {
    params.push(opts.lockedBy);
    where.push(`j.locked_by = $${params.length}`);
  }
  if (!(opts.force && opts.lockedBy !== undefined)) where.push("j.locked_until < now()");
  if (opts.ids) {
    params.push(opts.ids);
    where.push(`j.id = any($${params.length}::bigint[])`);
  }
  params.push(opts.limit ?? 10_000);
  const limit = `$${params.length}`;
  const rows = await q.query<RecoveredJob>(
    `with stale as (
       select j.id, j.locked_by, coalesce(j.locked_until < now(), true) as expired from jobs j where ${where.join(" and ")}
       order by j.locked_until limit ${limit} for update skip locked),
     r as (
       update jobs j set
         state = case when j.cancel_requested_at is not null then 'cancelled'
                      when j.attempts >= j.max_attempts then 'dead' else 'pending' end,
         finished_at = case when j.cancel_requested_at is not null or j.attempts >= j.max_attempts then now() end,
         last_error = case when stale.expired then 'lease expired: worker ' || coalesce(j.locked_by, '?') || ' stopped heartbeating'
                      else 'lease released by an operator before it expired: worker ' || coalesce(j.locked_by, '?') || ' was offline' end,
         run_at = now(), locked_by = null, locked_until = null
       from stale where j.id = stale.id
       returning j.id, j.state, j.attempt_id, stale.locked_by as "lockedBy", stale.expired as "leaseExpired"),
     closed as (
       update job_attempts a set finished_at = now(), outcome = 'lost',
         error = case when r."leaseExpired" then 'lease expired: worker stopped heartbeating'
                 else 'lease released by an operator before it expired (worker offline)' end
       from r where a.id = r.attempt_id)
     select id, state, "lockedBy", "leaseExpired" from r order by id`,
    params,
  );
  return rows;
}
