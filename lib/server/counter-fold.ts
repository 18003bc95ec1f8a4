// The app server folds the job counters' deltas too (lib/queue/counters.ts), every
// JOBDECK_COUNTER_FOLD_SECONDS (default 2). Why: the workers' maintenance loops fold them, but in
// an incident every worker may be down while producers keep enqueuing — exactly when everyone
// opens the overview — and a read adds up every delta not yet folded. One fold at a time across
// workers and replicas (an advisory lock); a tick that cannot reach the database waits for the next.
import "server-only";
import { counterFoldSeconds, foldOnce } from "@/lib/queue/counters";
import { getDb } from "./db";

const cache = globalThis as typeof globalThis & { jobdeckCounterFold?: NodeJS.Timeout };

export function startCounterFolding(): void {
  if (cache.jobdeckCounterFold) return;
  const seconds = counterFoldSeconds();
  if (!seconds) return;
  let running = false;
  cache.jobdeckCounterFold = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await foldOnce(await getDb());
    } catch {
      // Database down: pages show the banner; the next tick tries again.
    } finally {
      running = false;
    }
  }, seconds * 1000);
  cache.jobdeckCounterFold.unref();
}

export function stopCounterFolding(): void {
  if (cache.jobdeckCounterFold) clearInterval(cache.jobdeckCounterFold);
  cache.jobdeckCounterFold = undefined;
}
