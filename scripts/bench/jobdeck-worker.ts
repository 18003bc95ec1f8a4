// A Jobdeck bench worker process: one createWorker() with a no-op handler, started on "go".
// Started by scripts/bench-queue.ts as `node bin/run-ts.mjs scripts/bench/jobdeck-worker.ts`
// with DATABASE_URL, BENCH_CONCURRENCY and BENCH_POLL_MS in its environment.
//
// Claim latency is measured without touching the runtime: the worker gets a Database whose
// query() is timed, and the claim statement (lib/queue/claim.ts, "with picked as ...") and the
// completion statement (lib/queue/finish.ts completeMany, "with done as ...") are recognised by
// their text. One claim() call is exactly one such query, so the timing is the claim round trip.
import { openDatabase, type Database } from "../../db/client";
import { createWorker } from "../../lib/worker";
import { runChild } from "./child";
import { now } from "./protocol";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const pollIntervalMs = Number(process.env.BENCH_POLL_MS ?? 50);
const poolSize = Number(process.env.BENCH_POOL_SIZE ?? concurrency + 3);

const inner = await openDatabase({ databaseUrl: url, max: poolSize, applicationName: process.env.BENCH_APPLICATION_NAME ?? "jobdeck-bench-worker" });

const claimMs: number[] = [];
const claimSizes: number[] = [];
let firstClaimAt: number | null = null;
let lastCompleteAt: number | null = null;
let completed = 0;
let completeFlushes = 0;
let roundTrips = 0;
let sawClaim = false;
let sawComplete = false;

const isClaim = (text: string) => text.trimStart().startsWith("with picked as");
const isComplete = (text: string) => text.trimStart().startsWith("with done as");

const timed: Database = {
  ...inner,
  async query(text, params) {
    roundTrips++;
    if (isClaim(text)) {
      sawClaim = true;
      const t0 = now();
      const rows = await inner.query(text, params);
      const t1 = now();
      if (rows.length) {
        firstClaimAt ??= t0;
        claimMs.push(t1 - t0);
        claimSizes.push(rows.length);
      }
      return rows as never;
    }
    if (isComplete(text)) {
      sawComplete = true;
      const rows = await inner.query(text, params);
      completed += rows.length;
      completeFlushes++;
      lastCompleteAt = now();
      return rows as never;
    }
    return inner.query(text, params);
  },
  tx: (fn) => {
    roundTrips += 2;
    return inner.tx(fn);
  },
  close: () => inner.close(),
};

const worker = createWorker({
  db: timed,
  handlers: { noop: async () => null },
  concurrency,
  pollIntervalMs,
  // Long enough that no lease expires during a drain; the heartbeat still runs every 5 s.
  leaseSeconds: 300,
  shutdownGraceMs: 5_000,
  log: (m) => console.error(`[jobdeck-bench ${process.pid}] ${m}`),
});

runChild({
  start: () => worker.start(),
  progress: () => ({ completed, firstClaimAt, lastCompleteAt }),
  async stop() {
    await worker.stop();
    await inner.close();
    return {
      completed,
      firstClaimAt,
      lastCompleteAt,
      claimMs,
      claimSizes,
      completeFlushes,
      roundTrips,
      notes: sawClaim && sawComplete ? undefined : "claim/complete statements were not recognised: the bench's SQL matchers are out of date",
    };
  },
});
