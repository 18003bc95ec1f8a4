// The Celery bridge of one source: while this process is the source's leader (lib/celery/leader)
// it listens to the broker's event stream (lib/celery/stream), writes the events in batches
// (lib/celery/event-buffer) and records its own state and the gaps (lib/celery/bridge-state).
// It runs inside the server (lib/server/celery-bridges.ts) or standalone (`jobdeck
// celery-bridge`); both take the same lock, so a source is never written twice.
import os from "node:os";
import type { Database } from "../../db/client";
import { describeDbError } from "../../db/outage";
import type { CelerySourceConfig } from "../sources/config";
import { startBackfillLoop } from "./backfill-loop";
import { claimBridge, closeGaps, openGap, readBridge, recordDroppedGap, writeBridgeProgress } from "./bridge-state";
import { EventBuffer } from "./event-buffer";
import { type Leadership, tryLead } from "./leader";
import { describeBroker, openEventStream } from "./stream";
import { startWorkerPoolLoop } from "./worker-pools";

export interface BridgeOptions {
  config: CelerySourceConfig;
  db: Database;
  /** The control database's postgres URL for the leader lock; null for the embedded database (always leader). */
  databaseUrl: string | null;
  /** Who holds the bridge (celery_bridges.holder); default host:pid. */
  holder?: string;
  log?: (line: string) => void;
  /** How often a follower tries to become the leader (default 5 s). */
  retryLeadMs?: number;
  batchSize?: number;
  lingerMs?: number;
}

export interface BridgeStats {
  leader: boolean;
  connected: boolean;
  /** Events received from the broker by this process. */
  received: number;
  /** Events written to the control database by this process. */
  written: number;
  pending: number;
}

export interface CeleryBridge {
  readonly source: string;
  stats(): BridgeStats;
  /** Stops listening, writes what is buffered, marks the bridge disconnected, releases the lock. */
  stop(): Promise<void>;
}

const STATUS_EVERY_MS = 1_000;
const ALIVE_EVERY_MS = 5_000;

export function startCeleryBridge(opts: BridgeOptions): CeleryBridge {
  const { config, db } = opts;
  const source = config.name;
  const holder = opts.holder ?? `${os.hostname()}:${process.pid}`;
  const log = opts.log ?? ((line: string) => console.log(`[jobdeck] celery bridge ${source}: ${line}`));
  const stats: BridgeStats = { leader: false, connected: false, received: 0, written: 0, pending: 0 };
  let stopping = false;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((r) => (wake = r));

  const sleep = (ms: number) => Promise.race([stopped, new Promise<void>((r) => setTimeout(r, ms).unref())]);

  async function lead(leadership: Leadership): Promise<void> {
    stats.leader = true;
    // Events published while no bridge listened are gone (pub/sub, auto-delete queues): say so.
    const prev = await readBridge(db, source);
    if (prev) await openGap(db, source, prev.updated_at, "no bridge was running");
    await claimBridge(db, source, holder);
    log(`leader (${holder}); connecting to ${describeBroker(config.broker)}`);

    let unsent = 0;
    let lastEventAt: Date | null = null;
    let lastError: string | null | undefined;
    let lastWrite = 0;
    let dirty = true;
    let ops: Promise<unknown> = Promise.resolve();
    // State writes run one after another, in the order things happened.
    const op = (what: string, fn: () => Promise<unknown>) => {
      ops = ops.then(fn).catch((err) => log(`${what} failed: ${describeDbError(err)}`));
      return ops;
    };
    const writeStatus = (force = false) => {
      if (!force && !dirty && Date.now() - lastWrite < ALIVE_EVERY_MS) return ops;
      const p = { connected: stats.connected, events: unsent, lastEventAt, lastError };
      unsent = 0;
      lastError = undefined;
      dirty = false;
      lastWrite = Date.now();
      return op("status", () =>
        writeBridgeProgress(db, source, holder, p).catch((err) => {
          unsent += p.events; // counted on the next write
          throw err;
        }),
      );
    };

    const buffer = new EventBuffer(db, source, {
      batchSize: opts.batchSize,
      lingerMs: opts.lingerMs,
      onWritten: (n) => (stats.written += n),
      onWriteError: (err) => {
        const message = `control database: ${describeDbError(err)}`;
        if (message !== lastError) log(`writing events failed (${message}); trying again`);
        lastError = message;
        dirty = true;
      },
      onDropped: (from, until, count) => void op("dropped-events gap", () => recordDroppedGap(db, source, from, until, count, "the control database could not take them in time")),
    });
    const stream = await openEventStream(config.broker, {
      onEvents(events) {
        stats.received += events.length;
        unsent += events.length;
        let newest = lastEventAt?.getTime() ?? 0;
        for (const e of events) newest = Math.max(newest, e.timestamp * 1000);
        lastEventAt = new Date(newest);
        dirty = true;
        buffer.push(events);
      },
      onListening(at) {
        stats.connected = true;
        lastError = null;
        dirty = true;
        log(`listening on ${describeBroker(config.broker)}`);
        void op("close gap", () => closeGaps(db, source, at));
        void writeStatus(true);
      },
      onLost(lastAliveAt, reason) {
        stats.connected = false;
        lastError = reason;
        dirty = true;
        log(`${reason}; reconnecting`);
        void op("open gap", () => openGap(db, source, lastAliveAt, reason));
        void writeStatus(true);
      },
      onError(message) {
        if (lastError !== message) {
          lastError = message;
          dirty = true;
        }
      },
    });
    const ticker = setInterval(() => {
      stats.pending = buffer.pending;
      void writeStatus();
    }, STATUS_EVERY_MS);
    ticker.unref();
    await stream.start();
    const backfill = startBackfillLoop(config, db, log);
    const pools = startWorkerPoolLoop(config, db, log);
    const why = await Promise.race([stopped.then(() => null), leadership.lost]);
    if (why) log(`${why}: no longer the leader`);
    clearInterval(ticker);
    await backfill?.stop();
    await pools.stop();
    await stream.stop();
    const left = await buffer.drain();
    if (left) log(`${left} buffered event(s) could not be written`);
    stats.connected = false;
    dirty = true;
    await writeStatus(true);
    await ops;
    stats.leader = false;
  }

  const loop = (async () => {
    while (!stopping) {
      let leadership: Leadership | null = null;
      try {
        leadership = await tryLead(opts.databaseUrl, source);
      } catch (err) {
        log(`cannot reach the control database for the leader lock: ${describeDbError(err)}`);
      }
      if (!leadership) {
        await sleep(opts.retryLeadMs ?? 5_000);
        continue;
      }
      try {
        await lead(leadership);
      } catch (err) {
        log(`stopped: ${describeDbError(err)}`);
      } finally {
        await leadership.release();
        stats.leader = false;
        stats.connected = false;
      }
      if (!stopping) await sleep(1_000);
    }
  })();

  return {
    source,
    stats: () => ({ ...stats }),
    async stop() {
      stopping = true;
      wake();
      await loop;
    },
  };
}
