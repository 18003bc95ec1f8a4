// The workers' maintenance loop: every worker runs one, and for each chore one of them wins.
// Each tick (default every 15 s):
//   1. queue depth sample — once per minute, per queue: ready, scheduled, running, retrying;
//   2. retention — completed/cancelled jobs past JOBDECK_RETENTION_DAYS, 1,000 per transaction
//      (at most once a minute per process);
//   3. housekeeping — merge day-old per-minute rollups into hourly rows, and drop rollups and
//      samples past JOBDECK_ROLLUP_RETENTION_DAYS (at most every 5 minutes per process);
//   4. job counters — fold the transition deltas into the totals (also on their own, faster
//      timer: every JOBDECK_COUNTER_FOLD_SECONDS, default 2, so reads add up few deltas), and
//      compare them with count(*) once per JOBDECK_COUNTER_CHECK_MINUTES (default 60) across
//      every worker, repairing and logging any drift (lib/queue/counter-check.ts).
// Leader election is per chore and per tick: the chore runs in a transaction that first takes
// pg_try_advisory_xact_lock(key); whoever gets it does the work, the others skip it. There is no
// long-lived leader to fail over (a crashed leader's lock dies with its transaction), it works
// through a connection pool (a session lock would pin one connection), and the "once per minute"
// rule is checked inside the locked transaction, so two loops never sample the same minute.
import type { Database } from "../../db/client";
import { compactRollups, sampleQueueDepth } from "../queue/rollups";
import { deleteExpiredJobs, deleteExpiredRollups, retentionConfig } from "../queue/retention";
import { checkCountersOnce, counterCheckMinutes } from "../queue/counter-check";
import { counterFoldSeconds, foldOnce } from "../queue/counters";

export const SAMPLE_LOCK_KEY = 7_311_290_443;
export const HOUSEKEEPING_LOCK_KEY = 7_311_290_444;

export interface MaintenanceOptions {
  db: Database;
  /** Between ticks; default JOBDECK_MAINTENANCE_INTERVAL_SECONDS or 15 s. */
  intervalMs?: number;
  retentionDays?: number;
  rollupRetentionDays?: number;
  /** Between counter folds; default JOBDECK_COUNTER_FOLD_SECONDS or 2 s. */
  foldIntervalMs?: number;
  /** Between drift checks (across every process); default JOBDECK_COUNTER_CHECK_MINUTES or 60. */
  counterCheckMinutes?: number;
  log?: (message: string) => void;
}

export interface TickResult {
  /** Depth rows written this tick (0: another loop had the lock, or the minute was done). */
  sampled: number;
  /** Whether this loop held the sampling lock. */
  sampleLeader: boolean;
  deletedJobs: number;
  compactedRows: number;
  deletedRollups: number;
  /** Counter deltas folded this tick (null: another loop was folding). */
  foldedDeltas: number | null;
  /** Counters the drift check found wrong and repaired; null when no check ran this tick. */
  counterDrift: number | null;
}

/** One tick's sample, under the sampling lock. */
export async function sampleDepthOnce(db: Database): Promise<{ leader: boolean; sampled: number }> {
  return db.tx(async (q) => {
    const [{ locked }] = await q.query<{ locked: boolean }>("select pg_try_advisory_xact_lock($1) as locked", [SAMPLE_LOCK_KEY]);
    if (!locked) return { leader: false, sampled: 0 };
    return { leader: true, sampled: await sampleQueueDepth(q) };
  });
}

/** Compaction and rollup retention, under the housekeeping lock. */
export async function housekeepOnce(db: Database, rollupRetentionDays?: number): Promise<{ compacted: number; deleted: number }> {
  return db.tx(async (q) => {
    const [{ locked }] = await q.query<{ locked: boolean }>("select pg_try_advisory_xact_lock($1) as locked", [HOUSEKEEPING_LOCK_KEY]);
    if (!locked) return { compacted: 0, deleted: 0 };
    const compacted = await compactRollups(q);
    const deleted = await deleteExpiredRollups(q, rollupRetentionDays ? { olderThanDays: rollupRetentionDays } : {});
    return { compacted, deleted };
  });
}

export interface Maintenance {
  /** Runs one tick now (tests, and the loop itself). */
  tick(opts?: { force?: boolean }): Promise<TickResult>;
  stop(): Promise<void>;
}

export function startMaintenance(opts: MaintenanceOptions & { autoStart?: boolean }): Maintenance {
  const { db } = opts;
  const intervalMs = opts.intervalMs ?? Number(process.env.JOBDECK_MAINTENANCE_INTERVAL_SECONDS ?? 15) * 1000;
  const log = opts.log ?? ((m: string) => console.error(`[maintenance] ${m}`));
  let lastRetention = 0;
  let lastHousekeeping = 0;
  let running: Promise<TickResult> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let folding: Promise<number | null> | null = null;

  function fold(): Promise<number | null> {
    folding ??= foldOnce(db)
      .catch((err) => {
        log(`counter fold failed: ${(err as Error).message}`);
        return null;
      })
      .finally(() => (folding = null));
    return folding;
  }

  async function runTick(force: boolean): Promise<TickResult> {
    const result: TickResult = { sampled: 0, sampleLeader: false, deletedJobs: 0, compactedRows: 0, deletedRollups: 0, foldedDeltas: null, counterDrift: null };
    try {
      const s = await sampleDepthOnce(db);
      result.sampled = s.sampled;
      result.sampleLeader = s.leader;
    } catch (err) {
      log(`depth sample failed: ${(err as Error).message}`);
    }
    const now = Date.now();
    if (force || now - lastRetention >= 60_000) {
      lastRetention = now;
      try {
        const days = opts.retentionDays ?? retentionConfig().jobDays;
        const r = await deleteExpiredJobs(db, { olderThanDays: days });
        result.deletedJobs = r.deleted;
        if (r.deleted) log(`retention: deleted ${r.deleted} completed/cancelled job(s) older than ${days} day(s) in ${r.batches} batch(es)`);
      } catch (err) {
        log(`retention failed: ${(err as Error).message}`);
      }
    }
    if (force || now - lastHousekeeping >= 300_000) {
      lastHousekeeping = now;
      try {
        const h = await housekeepOnce(db, opts.rollupRetentionDays);
        result.compactedRows = h.compacted;
        result.deletedRollups = h.deleted;
      } catch (err) {
        log(`rollup housekeeping failed: ${(err as Error).message}`);
      }
    }
    result.foldedDeltas = await fold();
    try {
      // force: due now, whatever the last check's time.
      const drift = await checkCountersOnce(db, force ? 0 : (opts.counterCheckMinutes ?? counterCheckMinutes()));
      result.counterDrift = drift?.length ?? null;
      if (drift?.length) log(`counter drift repaired: ${drift.map((d) => `${d.what} counted ${d.counted}, actual ${d.actual}`).join("; ")}`);
    } catch (err) {
      log(`counter check failed: ${(err as Error).message}`);
    }
    return result;
  }

  function tick({ force = false } = {}): Promise<TickResult> {
    // Never overlap: a slow database must not pile up ticks.
    if (running) return running;
    running = runTick(force).finally(() => {
      running = null;
    });
    return running;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().finally(schedule);
    }, intervalMs);
    timer.unref?.();
  }
  if (opts.autoStart !== false) {
    // First tick soon after start (not at once: let the worker register and claim first).
    timer = setTimeout(() => {
      void tick().finally(schedule);
    }, Math.min(intervalMs, 2_000));
    timer.unref?.();
  }

  const foldMs = opts.foldIntervalMs ?? counterFoldSeconds() * 1000;
  const foldTimer = opts.autoStart !== false && foldMs > 0 ? setInterval(() => void fold(), foldMs) : null;
  foldTimer?.unref?.();

  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (foldTimer) clearInterval(foldTimer);
      await running?.catch(() => {});
      await folding;
    },
  };
}
