// Worker heartbeats carry no pool: the leader of a source asks its online workers for `stats`
// (Celery's remote control, as `celery inspect stats`) when it starts and every minute after,
// and records each worker's pool implementation and size (they change with pool grow/shrink).
// A worker that does not answer keeps what was known; failures are logged once and retried.
import type { Database } from "../../db/client";
import type { CelerySourceConfig } from "../sources/config";
import { broadcast, withBroker } from "./control/pidbox";

const EVERY_MS = 60_000;

export interface WorkerPool {
  pool: string | null;
  concurrency: number | null;
}

/**
 * The pool of a `stats` reply: `implementation` (`celery.concurrency.thread:TaskPool` → `threads`)
 * where Celery sends it; the prefork pool's stats name no implementation but list its
 * `processes`. The size is `max-concurrency`.
 */
export function poolOfStats(stats: unknown): WorkerPool {
  const p = stats && typeof stats === "object" ? (stats as { pool?: Record<string, unknown> }).pool : undefined;
  const impl = typeof p?.implementation === "string" ? p.implementation : null;
  const size = p?.["max-concurrency"];
  const named = impl ? (/concurrency\.([a-z_]+)/.exec(impl)?.[1] ?? impl).replace(/^thread$/, "threads") : null;
  return {
    pool: named ?? (Array.isArray(p?.processes) ? "prefork" : null),
    concurrency: typeof size === "number" && Number.isInteger(size) ? size : null,
  };
}

/** Asks the source's online workers for their stats and records their pools: how many were recorded. */
export async function refreshWorkerPools(db: Database, config: CelerySourceConfig): Promise<number> {
  const online = await db.query<{ hostname: string }>(
    `select hostname from celery_workers
     where source = $1 and offline_at is null and last_heartbeat_at > now() - make_interval(secs => 2 * coalesce(freq, 2))`,
    [config.name],
  );
  if (!online.length) return 0;
  const result = await withBroker(config.broker, (b) => broadcast(b, "stats", {}, { destination: online.map((w) => w.hostname) }));
  let recorded = 0;
  for (const reply of result.replies) {
    let stats: unknown = null;
    try {
      stats = reply.ok ? JSON.parse(reply.ok) : null;
    } catch {
      continue;
    }
    const { pool, concurrency } = poolOfStats(stats);
    if (!pool && concurrency === null) continue;
    await db.query("update celery_workers set pool = $3, concurrency = $4 where source = $1 and hostname = $2", [config.name, reply.worker, pool, concurrency]);
    recorded++;
  }
  return recorded;
}

export function startWorkerPoolLoop(config: CelerySourceConfig, db: Database, log: (line: string) => void): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let lastError: string | null = null;
  const tick = () => {
    if (running) return;
    running = refreshWorkerPools(db, config)
      .then(() => void (lastError = null))
      .catch((err) => {
        const message = String((err as Error)?.message ?? err).split("\n")[0];
        if (message !== lastError) log(`worker stats not read: ${message}`);
        lastError = message;
      })
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, EVERY_MS);
  timer.unref();
  // The first ask waits a few seconds: the workers' online events are being recorded meanwhile.
  const first = setTimeout(tick, 5_000);
  first.unref();
  return {
    async stop() {
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}
