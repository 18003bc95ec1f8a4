// A graphile-worker bench process: one run() (a worker pool of BENCH_CONCURRENCY) with a no-op
// task, started on "go". BENCH_GRAPHILE_MODE:
//   default  – graphile-worker's out-of-the-box settings (one getJob round trip per job, one
//              completeJob statement per job);
//   batched  – its documented batching (worker.graphile.org/docs/performance#batching):
//              localQueue.size = concurrency (fetch a batch of jobs per round trip) and
//              completeJobBatchDelay = 0 (batch completions) — the closest match to what the
//              Jobdeck runtime does (claim up to free slots, batch completions).
// Per-job "Completed task" info logging is silenced (Jobdeck logs nothing per job either).
import { EventEmitter } from "node:events";
import { Logger, run, type Runner, type WorkerEvents } from "graphile-worker";
import { runChild } from "./child";
import { now } from "./protocol";

const connectionString = process.env.DATABASE_URL;
if (!connectionString) throw new Error("DATABASE_URL is required");
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const pollInterval = Number(process.env.BENCH_POLL_MS ?? 50);
const poolSize = Number(process.env.BENCH_POOL_SIZE ?? concurrency + 3);
const mode = process.env.BENCH_GRAPHILE_MODE === "default" ? "default" : "batched";

const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[graphile-bench ${process.pid}] ${level}: ${message}`);
});

const claimMs: number[] = [];
const claimSizes: number[] = [];
let firstClaimAt: number | null = null;
let lastCompleteAt: number | null = null;
let completed = 0;
let runner: Runner | null = null;
const getJobStarted = new Map<unknown, number>();

runChild({
  // "Claim latency" for graphile-worker: how long a worker slot waits in getJob for its next
  // job (a database round trip in default mode; often served locally in batched mode).
  async start() {
    // Listeners go on our own emitter before run(): the pool starts fetching inside run().
    const events = new EventEmitter() as WorkerEvents;
    events.on("worker:getJob:start", ({ worker }) => {
      getJobStarted.set(worker, now());
    });
    events.on("job:start", ({ worker }) => {
      const t0 = getJobStarted.get(worker);
      if (t0 === undefined) return;
      firstClaimAt = firstClaimAt === null ? t0 : Math.min(firstClaimAt, t0);
      claimMs.push(now() - t0);
      claimSizes.push(1);
    });
    // Emitted once the task succeeded and its completeJob was issued (not awaited by
    // graphile-worker itself): this slightly favours graphile-worker in the wall time.
    events.on("job:success", () => {
      completed++;
      lastCompleteAt = now();
    });
    runner = await run({
      events,
      connectionString,
      concurrency,
      pollInterval,
      maxPoolSize: poolSize,
      noHandleSignals: true,
      logger,
      taskList: { noop: async () => {} },
      preset:
        mode === "batched"
          ? { worker: { localQueue: { size: concurrency }, completeJobBatchDelay: 0 } }
          : { worker: {} },
    });
  },
  progress: () => ({ completed, firstClaimAt, lastCompleteAt }),
  async stop() {
    if (runner) await runner.stop();
    return { completed, firstClaimAt, lastCompleteAt, claimMs, claimSizes, completeFlushes: -1, roundTrips: -1, notes: `mode ${mode}` };
  },
});
