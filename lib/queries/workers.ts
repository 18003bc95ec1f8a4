// Workers as operators see them: online/offline derived from heartbeat age (never stored),
// what each is running now and for how long, counters, uptime, and whether an offline worker
// still holds jobs. Running jobs are found through jobs_running_worker_idx.
import type { Sql } from "../../db/client";
import { queueConfig } from "../queue/config";

/** SQL boolean: the worker heartbeated recently and has not said goodbye. */
export function workerOnlineSql(alias: string): string {
  const secs = queueConfig().workerOfflineAfterSeconds;
  return `(${alias}.stopped_at is null and ${alias}.last_heartbeat_at > now() - make_interval(secs => ${Number(secs)}))`;
}

export type WorkerStatus = "online" | "offline" | "stopped";

export interface WorkerRunningJob {
  id: number;
  kind: string;
  queue: string;
  /** ISO timestamps (built inside json_agg). */
  started_at: string | null;
  locked_until: string | null;
  /** now − started_at. */
  runtime_seconds: number | null;
  /** The lease ran out (the job is stale). */
  lease_expired: boolean;
}

export interface WorkerRow {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  concurrency: number;
  version: string;
  started_at: Date;
  last_heartbeat_at: Date;
  stopped_at: Date | null;
  processed: number;
  failed: number;
  online: boolean;
  status: WorkerStatus;
  heartbeat_age_seconds: number;
  /** Until now, or until it stopped. */
  uptime_seconds: number;
  running: WorkerRunningJob[];
  /** Running jobs held, even when more than the `running` list shows. */
  running_count: number;
}

export interface ListWorkersOptions {
  /** Include workers that stopped cleanly more than this many hours ago (default 24). */
  stoppedWithinHours?: number;
  limit?: number;
  /** Running jobs listed per worker (the count is always exact). */
  runningLimit?: number;
}

export async function listWorkers(q: Sql, opts: ListWorkersOptions = {}): Promise<WorkerRow[]> {
  return q.query<WorkerRow>(
    `select w.id, w.hostname, w.pid, w.queues, w.concurrency, w.version, w.started_at, w.last_heartbeat_at,
       w.stopped_at, w.processed, w.failed,
       ${workerOnlineSql("w")} as online,
       case when w.stopped_at is not null then 'stopped' when ${workerOnlineSql("w")} then 'online' else 'offline' end as status,
       greatest(0, extract(epoch from now() - w.last_heartbeat_at))::float8 as heartbeat_age_seconds,
       greatest(0, extract(epoch from coalesce(w.stopped_at, now()) - w.started_at))::float8 as uptime_seconds,
       coalesce(r.running, '[]'::json) as running,
       coalesce(r.n, 0)::int as running_count
     from workers w
     left join lateral (
       select count(*) as n,
         json_agg(json_build_object('id', j.id, 'kind', j.kind, 'queue', j.queue, 'started_at', j.started_at,
           'locked_until', j.locked_until,
           'runtime_seconds', extract(epoch from now() - j.started_at)::float8,
           'lease_expired', j.locked_until < now()) order by j.id) filter (where j.rn <= $3) as running
       from (select j.*, row_number() over (order by j.id) as rn
             from jobs j where j.state = 'running' and j.locked_by = w.id) j
     ) r on true
     where w.stopped_at is null or w.stopped_at > now() - make_interval(hours => $1)
        or exists (select 1 from jobs j where j.state = 'running' and j.locked_by = w.id)
     order by (w.stopped_at is null) desc, (coalesce(r.n, 0) > 0 and not ${workerOnlineSql("w")}) desc,
       ${workerOnlineSql("w")} desc, w.last_heartbeat_at desc, w.id
     limit $2`,
    [opts.stoppedWithinHours ?? 24, opts.limit ?? 500, opts.runningLimit ?? 50],
  );
}

/** Offline (or stopped) workers that still hold running jobs: candidates for "recover its jobs". */
export function workersHoldingJobsOffline(workers: readonly WorkerRow[]): WorkerRow[] {
  return workers.filter((w) => !w.online && w.running_count > 0);
}

/** What "recover its jobs" would do to one worker's running jobs now: how many leases expired, and when the others end. */
export interface WorkerLeaseSummary {
  worker_id: string;
  online: boolean;
  heartbeat_age_seconds: number;
  /** Running jobs it holds. */
  running: number;
  /** Of those, jobs whose lease expired: recovered by default. */
  expired: number;
  /** Jobs whose lease has not expired: the worker may still be running them. Recovered only when forced. */
  leased: number;
  /** When the first and the last of those leases expire (null when none is live). */
  soonest_expiry: Date | null;
  last_expiry: Date | null;
}

/** The lease summary of one worker's running jobs (jobs_running_worker_idx); null for an unknown worker. */
export async function workerLeaseSummary(q: Sql, workerId: string): Promise<WorkerLeaseSummary | null> {
  const [r] = await q.query<WorkerLeaseSummary>(
    `select w.id as worker_id, ${workerOnlineSql("w")} as online,
       greatest(0, extract(epoch from now() - w.last_heartbeat_at))::float8 as heartbeat_age_seconds,
       count(j.id)::int as running,
       (count(j.id) filter (where j.locked_until < now()))::int as expired,
       (count(j.id) filter (where j.locked_until >= now()))::int as leased,
       min(j.locked_until) filter (where j.locked_until >= now()) as soonest_expiry,
       max(j.locked_until) filter (where j.locked_until >= now()) as last_expiry
     from workers w left join jobs j on j.state = 'running' and j.locked_by = w.id
     where w.id = $1 group by w.id`,
    [workerId],
  );
  return r ?? null;
}
