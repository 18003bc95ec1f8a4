// The workers registry: a worker announces itself, heartbeats its counters, and says goodbye.
// Online/offline is never stored: readers derive it from last_heartbeat_at.
import type { Sql } from "../../db/client";

export interface WorkerInfo {
  id: string;
  hostname: string;
  pid: number;
  queues: readonly string[];
  concurrency: number;
  version: string;
}

export async function registerWorker(q: Sql, w: WorkerInfo): Promise<void> {
  await q.query(
    `insert into workers (id, hostname, pid, queues, concurrency, version)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (id) do update set last_heartbeat_at = now(), stopped_at = null`,
    [w.id, w.hostname, w.pid, w.queues, w.concurrency, w.version],
  );
}

export async function workerHeartbeat(q: Sql, id: string, counters: { processed: number; failed: number }): Promise<void> {
  await q.query(
    "update workers set last_heartbeat_at = now(), processed = $2, failed = $3 where id = $1",
    [id, counters.processed, counters.failed],
  );
}

export async function markWorkerStopped(q: Sql, id: string, counters: { processed: number; failed: number }): Promise<void> {
  await q.query(
    "update workers set last_heartbeat_at = now(), stopped_at = now(), processed = $2, failed = $3 where id = $1",
    [id, counters.processed, counters.failed],
  );
}
