// The demo workload behind `npm run demo`: seeds history once, starts three in-process workers
// over three queues, a producer that enqueues a steady trickle, a catalog campaign, and a
// worker that "crashed" holding jobs; with JOBDECK_DEMO_SOURCES=1 (set by scripts/demo.mjs along
// with the JOBDECK_SOURCES it chose) also the applications behind those foreign sources: a real
// pg-boss and, on PostgreSQL, a real graphile-worker. Idempotent across restarts; one per process.
import os from "node:os";
import type { Database } from "../../db/client";
import { enqueueMany, markWorkerStopped, recoverStale } from "../queue";
import { readSourcesConfig, type SourceConfig } from "../sources/config";
import { createWorker, type Worker } from "../worker/worker";
import { randomDemoJob } from "./catalog";
import { createDemoHandlers } from "./handlers";
import { CRASHED_WORKER_ID, ensureDemoCampaign, seedHistory, simulateCrashedWorker } from "./seed";
import { chance, hex, pick } from "./util";

export interface DemoHandle {
  workers: Worker[];
  stop(): Promise<void>;
}

type DemoCache = { jobdeckDemo?: Promise<DemoHandle> };
const cache = globalThis as typeof globalThis & DemoCache;

export interface DemoOptions {
  db: Database;
  /** Jobs per second the producer aims at (default 2). */
  rate?: number;
  log?: (message: string) => void;
}

export function startDemo(opts: DemoOptions): Promise<DemoHandle> {
  cache.jobdeckDemo ??= start(opts);
  return cache.jobdeckDemo;
}

const WORKERS = [
  { name: "default-1", queues: ["default"], concurrency: 4 },
  { name: "media-1", queues: ["media"], concurrency: 2 },
  { name: "mixed-1", queues: ["reports", "default"], concurrency: 3 },
];

async function start({ db, rate = 2, log = (m) => console.log(`[jobdeck demo] ${m}`) }: DemoOptions): Promise<DemoHandle> {
  const host = os.hostname();
  // Workers of an earlier demo run in this place died with the process that hosted them: give
  // their jobs back now instead of leaving them for the operator as stale locks.
  const previous = await db.query<{ id: string; processed: number; failed: number }>(
    `select id, processed, failed from workers where hostname = $1 and id like $2 and stopped_at is null`,
    [host, `${host}:demo-%`],
  );
  for (const w of previous) {
    const recovered = await db.tx(async (q) => {
      // Forced: these workers certainly died with their process, whatever their leases say.
      const r = await recoverStale(q, { lockedBy: w.id, force: true });
      await markWorkerStopped(q, w.id, { processed: Number(w.processed), failed: Number(w.failed) });
      return r;
    });
    if (recovered.length) log(`recovered ${recovered.length} job(s) left running by ${w.id}`);
  }

  const seeded = await seedHistory(db);
  if (seeded) log(`seeded ${seeded} finished jobs of history`);
  const { campaignId, created } = await ensureDemoCampaign(db);
  log(`${created ? "created" : "continuing"} campaign ${campaignId}`);
  const held = await simulateCrashedWorker(db);
  if (held.length) log(`worker ${CRASHED_WORKER_ID} "crashed" holding jobs ${held.join(", ")}`);

  const handlers = createDemoHandlers(db);
  const workers = WORKERS.map((w) =>
    createWorker({
      db,
      handlers,
      id: `${host}:demo-${w.name}:${process.pid}:${hex(4)}`,
      queues: w.queues,
      concurrency: w.concurrency,
      pollIntervalMs: 500,
      shutdownGraceMs: 2_000,
      // Leave stale locks for the operator to find and recover: that is what the demo shows.
      sweepStale: false,
      log: (m) => {
        if (process.env.JOBDECK_DEMO_VERBOSE === "1") log(m);
      },
    }),
  );
  for (const w of workers) await w.start();
  log(`started ${workers.length} workers: ${WORKERS.map((w) => `${w.name} [${w.queues.join(",")}]×${w.concurrency}`).join(", ")}`);

  // The producer: a steady trickle, some scheduled for later, various priorities. It pauses
  // while too much is already waiting, so a long-running demo stays small.
  let stopping = false;
  const tick = async () => {
    const [row] = await db.query<{ waiting: number }>(
      "select count(*) as waiting from jobs where state in ('pending', 'failed') and parent_id is null",
    );
    if (Number(row?.waiting ?? 0) > 400) return;
    const n = Math.random() < rate % 1 ? Math.ceil(rate) : Math.floor(rate);
    const specs = Array.from({ length: Math.max(1, n) }, () => {
      const job = randomDemoJob();
      return {
        ...job,
        priority: pick([0, 0, 0, 0, 5, 10, -5]),
        runAt: chance(0.1) ? new Date(Date.now() + pick([30, 90, 300, 900, 3_600]) * 1_000) : undefined,
      };
    });
    await enqueueMany(db, specs);
  };
  const producer = setInterval(() => {
    if (!stopping) tick().catch((err) => log(`producer: ${(err as Error).message}`));
  }, 1_000);
  producer.unref?.();

  let foreign: { stop(): Promise<void> }[] = [];
  if (process.env.JOBDECK_DEMO_SOURCES === "1") {
    foreign = await startForeignApps(db, log).catch((err) => {
      log(`the foreign sources' applications did not start: ${(err as Error).message}`);
      return [];
    });
  }

  return {
    workers,
    async stop() {
      stopping = true;
      clearInterval(producer);
      await Promise.all([...workers.map((w) => w.stop()), ...foreign.map((f) => f.stop().catch((err) => log(`stopping: ${(err as Error).message}`)))]);
    },
  };
}

/**
 * The applications behind the demo's foreign sources (the first pg-boss and graphile-worker entry
 * of JOBDECK_SOURCES, in the control database). One that cannot start is logged and left out:
 * the rest of the demo runs on.
 */
async function startForeignApps(db: Database, log: (m: string) => void): Promise<{ stop(): Promise<void> }[]> {
  const sources = readSourcesConfig().filter((s): s is SourceConfig => s.kind !== "celery" && s.url === null);
  const boss = sources.find((s) => s.kind === "pg-boss");
  const graphile = sources.find((s) => s.kind === "graphile-worker");
  const apps: { stop(): Promise<void> }[] = [];
  if (boss) {
    const { startPgBossDemo } = await import("./pgboss");
    await startPgBossDemo({ db, schema: boss.schema, log }).then(
      (app) => apps.push(app),
      (err) => log(`${boss.name} (pg-boss) did not start: ${(err as Error).message}`),
    );
  }
  if (graphile || db.kind === "pglite") {
    // On the embedded database this only says why graphile-worker cannot run there.
    const { startGraphileDemo } = await import("./graphile");
    await startGraphileDemo({ db, schema: graphile?.schema, log }).then(
      (app) => app && apps.push(app),
      (err) => log(`${graphile?.name} (graphile-worker) did not start: ${(err as Error).message}`),
    );
  }
  return apps;
}

/** Stops the demo of this process, if one runs. */
export async function stopDemo(): Promise<void> {
  const running = cache.jobdeckDemo;
  cache.jobdeckDemo = undefined;
  if (running) await (await running.catch(() => null))?.stop();
}
