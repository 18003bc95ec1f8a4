// Read model for the overview page: job counts by state, queues, workers, stale locks,
// campaigns and the latest dead jobs. Counting is honest and cheap: active states are counted
// exactly through their partial indexes; history (dead, cancelled, completed) is counted through
// an index with a cap, and the table size is the planner's estimate, labelled as such.
import "server-only";
import type { Sql } from "@/db/client";

/** A count that stops at `cap`; `capped` means "at least this many". */
export interface CappedCount {
  value: number;
  capped: boolean;
}

export type WorkerStatus = "online" | "offline" | "stopped";

export interface QueueSummary {
  queue: string;
  ready: number;
  scheduled: number;
  retrying: number;
  running: number;
  stale: number;
  /** Seconds the oldest ready job has waited past its run_at; null when nothing is ready. */
  oldestReadyAgeSeconds: number | null;
}

export interface WorkerSummary {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  concurrency: number;
  version: string;
  status: WorkerStatus;
  heartbeatAgeSeconds: number;
  uptimeSeconds: number;
  processed: number;
  failed: number;
  /** Jobs this worker holds right now (state running, locked_by = id). */
  running: number;
}

export interface CampaignSummary {
  id: number;
  name: string;
  kind: string;
  queue: string;
  state: string;
  batchSize: number;
  nextStartPosition: number;
  totalItems: number | null;
  updatedAgeSeconds: number;
}

export interface DeadJobSummary {
  id: number;
  kind: string;
  queue: string;
  attempts: number;
  maxAttempts: number;
  finishedAgeSeconds: number | null;
  /** First line of last_error, as stored: render it as text. */
  errorLine: string | null;
}

export interface OverviewSummary {
  counts: {
    ready: number;
    scheduled: number;
    running: number;
    /** Running jobs whose lease expired (state running and locked_until < now()). */
    stale: number;
    /** Running jobs held by a worker that is offline or stopped (lease may not have expired yet). */
    runningOnOfflineWorkers: number;
    /** State `failed`: the attempt failed and a retry is scheduled. */
    retrying: number;
    dead: CappedCount;
    cancelled: CappedCount;
    completedLast24h: CappedCount;
    completedLast5m: CappedCount;
  };
  /** pg_class.reltuples for jobs: the planner's estimate, null before the first ANALYZE. */
  estimatedTotalJobs: number | null;
  queues: QueueSummary[];
  workers: { online: number; offline: number; stopped: number; offlineAfterSeconds: number; list: WorkerSummary[] };
  campaigns: CampaignSummary[];
  recentDead: DeadJobSummary[];
}

/** Beyond this a history count shows as "N+"; each capped count reads at most this many index entries. */
export const HISTORY_COUNT_CAP = 100_000;

export function workerOfflineAfterSeconds(): number {
  const raw = Number(process.env.JOBDECK_WORKER_OFFLINE_AFTER_SECONDS ?? 30);
  return Number.isFinite(raw) && raw > 0 ? raw : 30;
}

const num = (v: unknown): number => (v == null ? 0 : Number(v));
const capped = (v: unknown, cap: number): CappedCount => ({ value: Math.min(num(v), cap), capped: num(v) > cap });

export async function getOverviewSummary({
  q,
  offlineAfterSeconds = workerOfflineAfterSeconds(),
  workerLimit = 12,
  campaignLimit = 6,
  deadLimit = 6,
}: {
  q: Sql;
  offlineAfterSeconds?: number;
  workerLimit?: number;
  campaignLimit?: number;
  deadLimit?: number;
}): Promise<OverviewSummary> {
  const cap = HISTORY_COUNT_CAP;
  const [waiting, running, history, estimate, workerTotals, workers, campaigns, dead] = await Promise.all([
    // Matches the predicate of jobs_claim_any_idx / jobs_claim_queue_idx exactly.
    q.query<{ queue: string; ready: number; scheduled: number; retrying: number; oldest: number | null }>(
      `select queue,
         count(*) filter (where state = 'pending' and run_at <= now()) as ready,
         count(*) filter (where state = 'pending' and run_at > now()) as scheduled,
         count(*) filter (where state = 'failed') as retrying,
         extract(epoch from now() - min(run_at) filter (where state = 'pending' and run_at <= now()))::float8 as oldest
       from jobs where state in ('pending', 'failed') group by queue`,
    ),
    // Matches jobs_running_lease_idx / jobs_running_worker_idx.
    q.query<{ queue: string; running: number; stale: number; on_offline: number }>(
      `select j.queue, count(*) as running,
         count(*) filter (where j.locked_until < now()) as stale,
         count(*) filter (where w.id is null or w.stopped_at is not null
                          or w.last_heartbeat_at < now() - make_interval(secs => $1)) as on_offline
       from jobs j left join workers w on w.id = j.locked_by
       where j.state = 'running' group by j.queue`,
      [offlineAfterSeconds],
    ),
    q.query<{ dead: number; cancelled: number; completed_24h: number; completed_5m: number }>(
      `select
         (select count(*) from (select 1 from jobs where state = 'dead' limit $1) x) as dead,
         (select count(*) from (select 1 from jobs where state = 'cancelled' limit $1) x) as cancelled,
         (select count(*) from (select 1 from jobs where finished_at >= now() - interval '24 hours'
                                and state = 'completed' limit $1) x) as completed_24h,
         (select count(*) from (select 1 from jobs where finished_at >= now() - interval '5 minutes'
                                and state = 'completed' limit $1) x) as completed_5m`,
      [cap + 1],
    ),
    q.query<{ reltuples: number }>(`select reltuples::float8 as reltuples from pg_class where oid = 'jobs'::regclass`),
    q.query<{ online: number; offline: number; stopped: number }>(
      `select
         count(*) filter (where stopped_at is null and last_heartbeat_at >= now() - make_interval(secs => $1)) as online,
         count(*) filter (where stopped_at is null and last_heartbeat_at < now() - make_interval(secs => $1)) as offline,
         count(*) filter (where stopped_at is not null) as stopped
       from workers`,
      [offlineAfterSeconds],
    ),
    q.query<{
      id: string; hostname: string; pid: number; queues: string[]; concurrency: number; version: string;
      stopped: boolean; heartbeat_age: number; uptime: number; processed: number; failed: number; running: number;
    }>(
      `select w.id, w.hostname, w.pid, w.queues, w.concurrency, w.version, w.stopped_at is not null as stopped,
         extract(epoch from now() - w.last_heartbeat_at)::float8 as heartbeat_age,
         extract(epoch from coalesce(w.stopped_at, now()) - w.started_at)::float8 as uptime,
         w.processed, w.failed,
         (select count(*) from jobs j where j.state = 'running' and j.locked_by = w.id) as running
       from workers w
       where w.stopped_at is null or w.stopped_at > now() - interval '1 hour'
       order by (w.stopped_at is null) desc, (w.last_heartbeat_at >= now() - make_interval(secs => $1)) asc,
         w.last_heartbeat_at desc, w.id
       limit $2`,
      [offlineAfterSeconds, workerLimit],
    ),
    q.query<{
      id: number; name: string; kind: string; queue: string; state: string; batch_size: number;
      next_start_position: number; total_items: number | null; updated_age: number;
    }>(
      `select id, name, kind, queue, state, batch_size, next_start_position, total_items,
         extract(epoch from now() - updated_at)::float8 as updated_age
       from campaigns order by (state = 'running') desc, updated_at desc, id desc limit $1`,
      [campaignLimit],
    ),
    // jobs_state_id_idx: newest dead jobs without touching the rest of the table.
    q.query<{
      id: number; kind: string; queue: string; attempts: number; max_attempts: number;
      finished_age: number | null; error_line: string | null;
    }>(
      `select id, kind, queue, attempts, max_attempts,
         extract(epoch from now() - finished_at)::float8 as finished_age,
         left(split_part(last_error, E'\\n', 1), 300) as error_line
       from jobs where state = 'dead' order by id desc limit $1`,
      [deadLimit],
    ),
  ]);

  const byQueue = new Map<string, QueueSummary>();
  const queueRow = (queue: string) => {
    let row = byQueue.get(queue);
    if (!row) {
      row = { queue, ready: 0, scheduled: 0, retrying: 0, running: 0, stale: 0, oldestReadyAgeSeconds: null };
      byQueue.set(queue, row);
    }
    return row;
  };
  for (const r of waiting) {
    Object.assign(queueRow(r.queue), {
      ready: num(r.ready),
      scheduled: num(r.scheduled),
      retrying: num(r.retrying),
      oldestReadyAgeSeconds: r.oldest == null ? null : Math.max(0, Number(r.oldest)),
    });
  }
  let onOffline = 0;
  for (const r of running) {
    Object.assign(queueRow(r.queue), { running: num(r.running), stale: num(r.stale) });
    onOffline += num(r.on_offline);
  }
  const queues = [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue));
  const sum = (k: "ready" | "scheduled" | "retrying" | "running" | "stale") => queues.reduce((n, r) => n + r[k], 0);
  const h = history[0];
  const reltuples = num(estimate[0]?.reltuples);

  return {
    counts: {
      ready: sum("ready"),
      scheduled: sum("scheduled"),
      running: sum("running"),
      stale: sum("stale"),
      runningOnOfflineWorkers: onOffline,
      retrying: sum("retrying"),
      dead: capped(h?.dead, cap),
      cancelled: capped(h?.cancelled, cap),
      completedLast24h: capped(h?.completed_24h, cap),
      completedLast5m: capped(h?.completed_5m, cap),
    },
    estimatedTotalJobs: reltuples >= 0 && estimate.length ? Math.round(reltuples) : null,
    queues,
    workers: {
      online: num(workerTotals[0]?.online),
      offline: num(workerTotals[0]?.offline),
      stopped: num(workerTotals[0]?.stopped),
      offlineAfterSeconds,
      list: workers.map((w) => ({
        id: w.id,
        hostname: w.hostname,
        pid: num(w.pid),
        queues: w.queues ?? [],
        concurrency: num(w.concurrency),
        version: w.version,
        status: w.stopped ? "stopped" : num(w.heartbeat_age) > offlineAfterSeconds ? "offline" : "online",
        heartbeatAgeSeconds: Math.max(0, num(w.heartbeat_age)),
        uptimeSeconds: Math.max(0, num(w.uptime)),
        processed: num(w.processed),
        failed: num(w.failed),
        running: num(w.running),
      })),
    },
    campaigns: campaigns.map((c) => ({
      id: num(c.id),
      name: c.name,
      kind: c.kind,
      queue: c.queue,
      state: c.state,
      batchSize: num(c.batch_size),
      nextStartPosition: num(c.next_start_position),
      totalItems: c.total_items == null ? null : num(c.total_items),
      updatedAgeSeconds: Math.max(0, num(c.updated_age)),
    })),
    recentDead: dead.map((d) => ({
      id: num(d.id),
      kind: d.kind,
      queue: d.queue,
      attempts: num(d.attempts),
      maxAttempts: num(d.max_attempts),
      finishedAgeSeconds: d.finished_age == null ? null : Math.max(0, num(d.finished_age)),
      errorLine: d.error_line,
    })),
  };
}
