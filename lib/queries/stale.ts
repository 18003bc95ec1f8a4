// Stale locks: running jobs whose lease expired, or whose worker is offline (the lease will
// expire). Both read only the small set of running jobs (jobs_running_lease_idx).
import type { Sql } from "../../db/client";
import { workerOnlineSql } from "./workers";

export interface StaleLockRow {
  id: number;
  kind: string;
  queue: string;
  locked_by: string | null;
  locked_until: Date | null;
  heartbeat_at: Date | null;
  started_at: Date | null;
  attempts: number;
  max_attempts: number;
  lease_expired: boolean;
  worker_online: boolean;
  /** Seconds since the lease expired; 0 while it still runs. */
  overdue_seconds: number;
  /** Seconds the lease still runs (worker offline, lease not yet expired); 0 once expired. */
  lease_remaining_seconds: number;
  /** Seconds since the worker's last heartbeat (null when the worker is not registered). */
  worker_heartbeat_age_seconds: number | null;
}

export async function listStaleLocks(q: Sql, opts: { limit?: number } = {}): Promise<StaleLockRow[]> {
  return q.query<StaleLockRow>(
    `select j.id, j.kind, j.queue, j.locked_by, j.locked_until, j.heartbeat_at, j.started_at, j.attempts, j.max_attempts,
       coalesce(j.locked_until < now(), true) as lease_expired,
       coalesce(${workerOnlineSql("w")}, false) as worker_online,
       greatest(0, extract(epoch from now() - j.locked_until))::float8 as overdue_seconds,
       greatest(0, extract(epoch from j.locked_until - now()))::float8 as lease_remaining_seconds,
       greatest(0, extract(epoch from now() - w.last_heartbeat_at))::float8 as worker_heartbeat_age_seconds
     from jobs j left join workers w on w.id = j.locked_by
     where j.state = 'running' and (j.locked_until < now() or not coalesce(${workerOnlineSql("w")}, false))
     order by j.locked_until, j.id limit $1`,
    [opts.limit ?? 1_000],
  );
}

/** The runbook's `stale_jobs_count`: running jobs whose lease has expired. */
export async function countStaleJobs(q: Sql): Promise<number> {
  const [r] = await q.query<{ n: number }>(
    "select count(*)::int as n from jobs where state = 'running' and locked_until < now()",
  );
  return r.n;
}

export interface StaleSummary {
  /** Running jobs whose lease expired: recover-stale returns them to pending now. */
  expired: number;
  /** Running jobs of offline workers whose lease still runs: recover them per worker, or wait. */
  offlineUnexpired: number;
}

export async function countStaleLocks(q: Sql): Promise<StaleSummary> {
  const [r] = await q.query<StaleSummary>(
    `select count(*) filter (where j.locked_until < now())::int as expired,
       count(*) filter (where not (j.locked_until < now()) and not coalesce(${workerOnlineSql("w")}, false))::int as "offlineUnexpired"
     from jobs j left join workers w on w.id = j.locked_by
     where j.state = 'running'`,
  );
  return r;
}
