// The worker runtime: claims jobs for its handlers, runs up to `concurrency` at once, heartbeats
// itself and its leases, honours cancellation, sweeps expired leases of dead peers, and shuts
// down gracefully. All state that matters is in the database; this process only holds leases.
import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Database } from "../../db/client";
import {
  type AttemptRef,
  type BatchPayload,
  type BatchReport,
  type ClaimedJob,
  QueueError,
  acknowledgeCancel,
  claim,
  completeBatch,
  completeMany,
  enqueueChildren,
  fail,
  heartbeat,
  markWorkerStopped,
  queueConfig,
  recoverStale,
  registerWorker,
  release,
  workerHeartbeat,
} from "../queue";
import { JOBDECK_VERSION } from "../version";
import { type Maintenance, startMaintenance } from "./maintenance";
import { type AbortReason, type Handlers, type JobContext, PermanentError } from "./types";

export interface WorkerOptions {
  db: Database;
  handlers: Handlers;
  /** Queues to work; empty means every queue. */
  queues?: string[];
  concurrency?: number;
  id?: string;
  leaseSeconds?: number;
  heartbeatSeconds?: number;
  /** Idle wait between claims when the queue is empty. */
  pollIntervalMs?: number;
  /** On stop, how long in-flight jobs may run before they are released. */
  shutdownGraceMs?: number;
  /** Sweep expired leases of other workers on every heartbeat. */
  sweepStale?: boolean;
  log?: (message: string) => void;
  /** Run the maintenance loop (depth samples, retention, rollup housekeeping); default true. */
  maintenance?: boolean;
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  progress?: { fraction: number; message?: string | null };
  report?: BatchReport;
  done: Promise<void>;
}

export interface Worker {
  readonly id: string;
  readonly counters: { processed: number; failed: number };
  /** Registers and starts the claim and heartbeat loops; resolves once registered. */
  start(): Promise<void>;
  /** Stops claiming, waits for in-flight jobs up to the grace period, releases the rest. */
  stop(): Promise<void>;
  /** Resolves when the worker has fully stopped. */
  readonly stopped: Promise<void>;
}

export function createWorker(opts: WorkerOptions): Worker {
  const cfg = queueConfig();
  const db = opts.db;
  const id = opts.id ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const leaseSeconds = opts.leaseSeconds ?? cfg.leaseSeconds;
  const heartbeatMs = (opts.heartbeatSeconds ?? cfg.heartbeatSeconds) * 1000;
  const pollMs = opts.pollIntervalMs ?? 250;
  const graceMs = opts.shutdownGraceMs ?? Number(process.env.JOBDECK_SHUTDOWN_GRACE_SECONDS ?? 20) * 1000;
  const queues = opts.queues?.filter(Boolean) ?? [];
  const kinds = new Set(Object.keys(opts.handlers));
  const log = opts.log ?? ((m: string) => console.error(`[worker ${id}] ${m}`));

  const running = new Map<number, Running>();
  const counters = { processed: 0, failed: 0 };
  let stopping = false;
  let wake: (() => void) | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let maintenance: Maintenance | null = null;
  let loop: Promise<void> = Promise.resolve();
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));

  // Completions are flushed together: while one flush is in flight the next ones gather,
  // so a busy worker writes many completions per round trip. A job whose handler succeeded
  // gives its slot back at once and its completion waits here for the next flush (the job stays
  // `running` under its lease until then; a crash in between reruns it, as before). At most
  // `maxUnrecorded` completions may wait: beyond that the claim loop pauses for the flush.
  const maxUnrecorded = 4 * concurrency;
  let waitingForFlush = false;
  let pendingCompletions: { ref: AttemptRef; result: unknown; resolve: () => void }[] = [];
  let flushingCount = 0;
  const unrecorded = () => pendingCompletions.length + flushingCount;
  let flushing: Promise<void> | null = null;
  function flushCompletions(): Promise<void> {
    if (flushing) return flushing;
    flushing = (async () => {
      while (pendingCompletions.length) {
        const batch = pendingCompletions;
        pendingCompletions = [];
        flushingCount = batch.length;
        try {
          const accepted = new Set(
            await completeMany(db, batch.map((b) => ({ ...b.ref, result: b.result }))),
          );
          for (const b of batch) {
            if (!accepted.has(b.ref.jobId)) log(`job ${b.ref.jobId}: completion rejected, the attempt had lost its lease`);
          }
        } catch (err) {
          log(`could not record ${batch.length} completions: ${(err as Error).message}; their leases will expire and the jobs rerun`);
        }
        flushingCount = 0;
        for (const b of batch) b.resolve();
        if (waitingForFlush) wake?.();
      }
      flushing = null;
    })();
    return flushing;
  }
  function recordCompletion(ref: AttemptRef, result: unknown): Promise<void> {
    return new Promise((resolve) => {
      pendingCompletions.push({ ref, result: result === undefined ? null : result, resolve });
      void flushCompletions();
    });
  }

  function contextFor(entry: Running): JobContext {
    const { job } = entry;
    const ref = { jobId: job.id, attemptId: job.attemptId };
    const ctx: JobContext = {
      job: {
        id: job.id,
        kind: job.kind,
        queue: job.queue,
        attempt: job.attempt,
        maxAttempts: job.maxAttempts,
        campaignId: job.campaignId,
        parentId: job.parentId,
        itemKey: job.itemKey,
        position: job.position,
      },
      signal: entry.controller.signal,
      progress(fraction, message) {
        entry.progress = { fraction: Math.min(1, Math.max(0, fraction)), message: message ?? null };
      },
    };
    if (job.campaignId != null && job.parentId == null) {
      const p = (job.payload ?? {}) as Partial<BatchPayload>;
      ctx.batch = {
        startPosition: Number(p.start_position ?? job.position ?? 0),
        batchSize: Number(p.batch_size ?? 0),
        params: p.params ?? {},
        enqueueChildren: (children) => db.tx((q) => enqueueChildren(q, ref, children)),
        reportNextStartPosition(report) {
          entry.report = report;
        },
      };
    }
    return ctx;
  }

  /** Frees the job's slot: it no longer counts against concurrency nor gets heartbeats. */
  function freeSlot(jobId: number) {
    if (running.delete(jobId)) wake?.();
  }

  async function finish(entry: Running, outcome: { ok: true; result: unknown } | { ok: false; error: unknown }) {
    const { job } = entry;
    const ref = { jobId: job.id, attemptId: job.attemptId };
    const reason = entry.controller.signal.reason as AbortReason | undefined;
    try {
      if (outcome.ok) {
        if (entry.report) {
          await db.tx((q) => completeBatch(q, { ...ref, result: outcome.result ?? null }, entry.report!));
        } else {
          const recorded = recordCompletion(ref, outcome.result);
          freeSlot(job.id);
          await recorded;
        }
        counters.processed++;
        return;
      }
      counters.failed++;
      if (reason === "lost_lease" || reason === "shutdown") return; // someone else owns it now / released in stop()
      if (reason === "cancelled") {
        await acknowledgeCancel(db, ref);
        return;
      }
      const err = outcome.error;
      const permanent = err instanceof PermanentError || (err as Error)?.name === "PermanentError";
      const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
      await fail(db, { ...ref, error: text, permanent });
    } catch (err) {
      if (err instanceof QueueError && err.code === "lost_lease") {
        log(`job ${job.id}: ${err.message}`);
      } else {
        log(`job ${job.id}: could not record its outcome: ${(err as Error).message}`);
      }
    }
  }

  function runJob(job: ClaimedJob) {
    const entry = { job, controller: new AbortController() } as Running;
    running.set(job.id, entry);
    entry.done = (async () => {
      let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
      try {
        const handler = opts.handlers[job.kind];
        if (!handler) throw new PermanentError(`no handler for kind "${job.kind}" on worker ${id}`);
        outcome = { ok: true, result: await handler(job.payload, contextFor(entry)) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (entry.controller.signal.reason === "lost_lease" || entry.controller.signal.reason === "shutdown") {
        // The lease is gone or being released: a late outcome must not be written.
        if (outcome.ok) counters.processed++;
        else counters.failed++;
      } else {
        await finish(entry, outcome);
      }
      freeSlot(job.id);
    })();
  }

  async function claimLoop() {
    let idleBackoff = pollMs;
    while (!stopping) {
      const free = concurrency - running.size;
      if (free <= 0 || unrecorded() >= maxUnrecorded) {
        waitingForFlush = free > 0;
        await new Promise<void>((r) => (wake = r));
        wake = null;
        waitingForFlush = false;
        continue;
      }
      let claimed: ClaimedJob[] = [];
      try {
        claimed = await claim(db, { workerId: id, queues, kinds: [...kinds], limit: free, leaseSeconds });
        idleBackoff = pollMs;
      } catch (err) {
        log(`claim failed: ${(err as Error).message}; retrying`);
        idleBackoff = Math.min(idleBackoff * 2, 5_000);
      }
      if (stopping) {
        await release(db, claimed.map((j) => ({ jobId: j.id, attemptId: j.attemptId }))).catch(() => {});
        break;
      }
      for (const job of claimed) {
        runJob(job);
      }
      if (claimed.length < free) {
        // Empty (or nearly): wait for the poll interval, or earlier if a slot frees and we were full.
        await new Promise<void>((r) => {
          const t = setTimeout(r, idleBackoff);
          wake = () => {
            clearTimeout(t);
            r();
          };
          if (stopping) r();
        });
        wake = null;
      }
    }
  }

  let beating = false;
  async function beat() {
    if (beating) return; // a slow database must not pile up overlapping heartbeats
    beating = true;
    try {
      await workerHeartbeat(db, id, counters);
      const refs = [...running.values()].map((r) => ({
        jobId: r.job.id,
        attemptId: r.job.attemptId,
        progress: r.progress,
      }));
      const hb = await heartbeat(db, refs, leaseSeconds);
      for (const jobId of hb.lost) {
        const r = running.get(jobId);
        if (r && !r.controller.signal.aborted) {
          log(`job ${jobId}: lease lost; aborting its handler`);
          r.controller.abort("lost_lease" satisfies AbortReason);
        }
      }
      for (const jobId of hb.cancelRequested) {
        const r = running.get(jobId);
        if (r && !r.controller.signal.aborted) r.controller.abort("cancelled" satisfies AbortReason);
      }
      if (opts.sweepStale !== false) {
        const recovered = await recoverStale(db, { limit: 1_000 });
        if (recovered.length) log(`recovered ${recovered.length} stale job(s) from dead peers: ${recovered.map((r) => r.id).join(", ")}`);
      }
    } catch (err) {
      log(`heartbeat failed: ${(err as Error).message}`);
    } finally {
      beating = false;
    }
  }

  return {
    id,
    counters,
    stopped,
    async start() {
      await registerWorker(db, { id, hostname: os.hostname(), pid: process.pid, queues, concurrency, version: JOBDECK_VERSION });
      heartbeatTimer = setInterval(() => void beat(), heartbeatMs);
      heartbeatTimer.unref?.();
      loop = claimLoop().catch((err) => log(`claim loop crashed: ${(err as Error).message}`));
      if (opts.maintenance !== false) maintenance = startMaintenance({ db, log: (m) => log(`maintenance: ${m}`) });
    },
    async stop() {
      if (stopping) return stopped;
      stopping = true;
      wake?.();
      await loop;
      const inFlight = [...running.values()];
      const deadline = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref?.());
      const settled = await Promise.race([Promise.all(inFlight.map((r) => r.done)).then(() => "done" as const), deadline]);
      if (settled === "timeout") {
        const left = [...running.values()];
        for (const r of left) r.controller.abort("shutdown" satisfies AbortReason);
        const released = await release(db, left.map((r) => ({ jobId: r.job.id, attemptId: r.job.attemptId }))).catch(() => []);
        if (released.length) log(`released ${released.length} unfinished job(s): ${released.join(", ")}`);
      }
      await flushCompletions();
      await maintenance?.stop();
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      await markWorkerStopped(db, id, counters).catch(() => {});
      resolveStopped();
    },
  };
}
