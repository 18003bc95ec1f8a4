// Workers of a Celery source and the tasks in flight on the ones that are gone. A worker is
// ONLINE while no worker-offline came after its last heartbeat and now < last heartbeat + 2 ×
// freq — Celery's own rule (heartbeat_expires with a 200 % expire window; freq as the worker
// announces it, 2 s by default). A STARTED or RECEIVED task whose worker is OFFLINE is stale:
// nobody will finish it unless the broker redelivers it (acks_late), and Celery has no lease.
import type { Sql } from "../../../db/client";
import type { SourceStaleJob, SourceWorker } from "../types";
import { iso } from "./rows";

/** Whether worker row `w` is ONLINE now. */
export const ONLINE_SQL = `(w.last_heartbeat_at is not null and (w.offline_at is null or w.offline_at < w.last_heartbeat_at)
  and now() < w.last_heartbeat_at + make_interval(secs => 2 * coalesce(w.freq, 2.0)))`;
/** When worker row `w` went (or goes) offline: its worker-offline event, or its heartbeat's expiry. */
export const OFFLINE_SINCE_SQL = `(case when w.offline_at is not null and w.offline_at >= coalesce(w.last_heartbeat_at, w.offline_at) then w.offline_at
  else w.last_heartbeat_at + make_interval(secs => 2 * coalesce(w.freq, 2.0)) end)`;

export const WORKER_LIMIT = 200;
/** Running tasks listed at most (all workers together). */
const RUNNING_LIMIT = 2_000;
const STALE_LIMIT = 1_000;

interface WorkerRow {
  hostname: string;
  freq: number | null;
  last_heartbeat_at: Date | null;
  online_at: Date | null;
  processed: number | null;
  active: number | null;
  sw_ident: string | null;
  sw_ver: string | null;
  sw_sys: string | null;
  pid: number | null;
  pool: string | null;
  concurrency: number | null;
  online: boolean;
  heartbeat_age: number | null;
  uptime: number | null;
}

interface RunningRow {
  key: string;
  name: string | null;
  queue: string | null;
  worker: string;
  started_at: Date | null;
  runtime: number | null;
}

export async function listCeleryWorkers(q: Sql, source: string): Promise<SourceWorker[]> {
  const workers = await q.query<WorkerRow>(
    `select w.hostname, w.freq, w.last_heartbeat_at, w.online_at, w.processed, w.active, w.sw_ident, w.sw_ver, w.sw_sys, w.pid, w.pool, w.concurrency,
       ${ONLINE_SQL} as online,
       extract(epoch from now() - w.last_heartbeat_at)::float8 as heartbeat_age,
       extract(epoch from now() - w.online_at)::float8 as uptime
     from celery_workers w where w.source = $1
     order by ${ONLINE_SQL} desc, w.last_heartbeat_at desc nulls last, w.hostname limit ${WORKER_LIMIT}`,
    [source],
  );
  if (!workers.length) return [];
  const running = await q.query<RunningRow>(
    `select t.task_id as key, t.name, t.queue, t.worker, t.started_at, extract(epoch from now() - t.started_at)::float8 as runtime
     from celery_tasks t where t.source = $1 and t.worker = any($2::text[]) and t.state = 'STARTED'
     order by t.started_at nulls last limit ${RUNNING_LIMIT}`,
    [source, workers.map((w) => w.hostname)],
  );
  const byWorker = new Map<string, RunningRow[]>();
  for (const r of running) byWorker.set(r.worker, [...(byWorker.get(r.worker) ?? []), r]);
  return workers.map((w) => {
    const mine = byWorker.get(w.hostname) ?? [];
    return {
      id: w.hostname,
      hostname: w.hostname,
      pid: w.pid,
      queues: [...new Set(mine.map((r) => r.queue).filter((x): x is string => !!x))],
      concurrency: w.concurrency,
      version: w.sw_ver ? `celery ${w.sw_ver}${w.sw_sys ? ` (${w.sw_sys})` : ""}${w.pool ? ` · ${w.pool} pool` : ""}` : w.pool ? `${w.pool} pool` : null,
      status: w.online ? "online" : "offline",
      startedAt: iso(w.online_at),
      lastHeartbeatAt: iso(w.last_heartbeat_at),
      heartbeatAgeSeconds: w.heartbeat_age === null ? null : Math.max(0, Math.round(Number(w.heartbeat_age))),
      uptimeSeconds: w.online && w.uptime !== null ? Math.max(0, Math.round(Number(w.uptime))) : null,
      processed: w.processed,
      failed: null,
      runningCount: Math.max(mine.length, w.online ? Number(w.active ?? 0) : 0),
      running: mine.map((r) => ({
        key: r.key,
        kind: r.name ?? "(unknown task)",
        queue: r.queue ?? "",
        startedAt: iso(r.started_at),
        lockedUntil: null,
        runtimeSeconds: r.runtime === null ? null : Math.max(0, Math.round(Number(r.runtime))),
        leaseExpired: !w.online,
      })),
    };
  });
}

interface StaleRow {
  key: string;
  name: string | null;
  queue: string | null;
  worker: string;
  state: string;
  retries: number;
  started_at: Date | null;
  offline_since: Date;
  overdue: number;
}

/** Tasks in flight (STARTED or RECEIVED) on OFFLINE workers, the longest gone first. */
export async function listCeleryStale(q: Sql, source: string): Promise<SourceStaleJob[]> {
  const rows = await q.query<StaleRow>(
    `select t.task_id as key, t.name, t.queue, t.worker, t.state, t.retries, t.started_at, ${OFFLINE_SINCE_SQL} as offline_since,
       greatest(0, extract(epoch from now() - ${OFFLINE_SINCE_SQL}))::float8 as overdue
     from celery_tasks t join celery_workers w on w.source = t.source and w.hostname = t.worker
     where t.source = $1 and t.state in ('STARTED', 'RECEIVED') and not ${ONLINE_SQL}
     order by 8, t.seq limit ${STALE_LIMIT}`,
    [source],
  );
  return rows.map((r) => ({
    key: r.key,
    kind: r.name ?? "(unknown task)",
    queue: r.queue ?? "",
    worker: r.worker,
    startedAt: iso(r.started_at),
    // No lease: the moment its worker was last known alive (heartbeat + 2 × freq, or its goodbye).
    lockedUntil: iso(r.offline_since),
    attempts: r.state === "RECEIVED" ? Number(r.retries) : Number(r.retries) + 1,
    maxAttempts: null,
    leaseExpired: true,
    workerOnline: false,
    overdueSeconds: Math.round(Number(r.overdue)),
    leaseRemainingSeconds: 0,
  }));
}

/** How many tasks are in flight on OFFLINE workers (the summary's stale count). */
export async function countCeleryStale(q: Sql, source: string): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    `select count(*)::int as n from (select 1 from celery_tasks t join celery_workers w on w.source = t.source and w.hostname = t.worker
       where t.source = $1 and t.state in ('STARTED', 'RECEIVED') and not ${ONLINE_SQL} limit ${STALE_LIMIT + 1}) x`,
    [source],
  );
  return Number(row?.n ?? 0);
}
