// Runs the result-backend backfill (lib/celery/backfill.ts) for the leader of a source that names
// a resultBackend: once when it starts (the newest 1,000 finished tasks), then every minute for
// what finished since (JOBDECK_CELERY_BACKFILL_SECONDS, default 60). Failures are logged and
// tried again next time; the bridge goes on either way.
import type { Database } from "../../db/client";
import { describeDbError } from "../../db/outage";
import type { CelerySourceConfig } from "../sources/config";
import { openResultBackend, type ResultBackend } from "./backfill";

export interface BackfillLoop {
  stop(): Promise<void>;
}

export function startBackfillLoop(config: CelerySourceConfig, db: Database, log: (line: string) => void): BackfillLoop | null {
  if (!config.resultBackend) return null;
  const url = config.resultBackend;
  const seconds = Math.max(5, Number(process.env.JOBDECK_CELERY_BACKFILL_SECONDS ?? 60) || 60);
  let backend: ResultBackend | null = null;
  let cursor: Date | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const reported = new Set<string>();
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        backend ??= await openResultBackend(url, config.name);
        const r = await backend.backfill(db, config.name, cursor);
        cursor = r.cursor;
        if (r.recorded) log(`backfilled ${r.recorded} finished task(s) from the result backend`);
        for (const [why, n] of Object.entries(r.skipped)) {
          if (!reported.has(why)) log(`result backend: ${n} value(s) skipped: ${why}`);
          reported.add(why);
        }
      } catch (err) {
        log(`result backend backfill failed: ${describeDbError(err)}`);
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, seconds * 1000);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await backend?.close().catch(() => {});
    },
  };
}
