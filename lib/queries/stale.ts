// Stale locks: running jobs whose lease expired, or whose worker is offline (it will expire).
import type { Sql } from "../../db/client";
import { workerOnlineSql } from "./workers";

export interface StaleLockRow {
  id: number;
  kind: string;
  queue: string;
  locked_by: string | null;
  locked_until: Date | null;
  heartbeat_at: Date | null;
  attempts: number;
  max_attempts: number;
  lease_expired: boolean;
  worker_online: boolean;
  overdue_seconds: number;
}

export async function listStaleLocks(q: Sql, opts: { limit?: number } = {}): Promise<StaleLockRow[]> {
  return q.query<StaleLockRow>(
    `select j.id, j.kind, j.queue, j.locked_by, j.locked_until, j.heartbeat_at, j.attempts, j.max_attempts,
       j.locked_until < now() as lease_expired,
       coalesce(${workerOnlineSql("w")}, false) as worker_online,
       greatest(0, extract(epoch from now() - j.locked_until))::float8 as overdue_seconds
     from jobs j left join workers w on w.id = j.locked_by
     where j.state = 'running' and (j.locked_until < now() or not coalesce(${workerOnlineSql("w")}, false))
     order by j.locked_until limit $1`,
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
