// The app server's own maintenance for foreign sources, one loop per process (every
// JOBDECK_MAINTENANCE_INTERVAL_SECONDS, default 15 s): depth samples once a minute (one leader
// across replicas, lib/sources/sampler), audit intents whose outcome never came marked `unknown`
// (lib/sources/audited-action), and old samples dropped. Native chores stay with the workers.
// The loop opens its own sources rather than getSources()'s: it starts from the instrumentation
// bundle, whose copies of the source error classes are not the route handlers' (a registry it
// cached for everyone made the API's `instanceof CapabilityError` fail, answering 500s).
import "server-only";
import { reconcilePendingAudit } from "@/lib/sources/audited-action";
import { deleteExpiredSourceSamples, sampleSourcesOnce } from "@/lib/sources/sampler";
import { retentionConfig } from "@/lib/queue/retention";
import { getDb, describeDbError } from "./db";
import { openSources, type SourceRegistry } from "@/lib/sources/registry";
import { readSourcesConfig } from "@/lib/sources/config";

type Cache = { jobdeckSourceLoop?: NodeJS.Timeout; jobdeckMaintenanceSources?: SourceRegistry };
const cache = globalThis as typeof globalThis & Cache;
const HOUSEKEEPING_EVERY_MS = 5 * 60_000;

export interface MaintenanceState {
  lastHousekeeping: number;
  /** The last sampling error said for each source. */
  lastErrors: Map<string, string>;
}

export async function sourceMaintenanceTick(state: MaintenanceState): Promise<void> {
  const db = await getDb();
  const registry = (cache.jobdeckMaintenanceSources ??= openSources(db));
  const sampled = await sampleSourcesOnce(db, registry.all);
  // Said once per source and error, not every tick: an unreachable source stays so for a while.
  for (const [name, error] of Object.entries(sampled.errors)) {
    if (state.lastErrors.get(name) !== error) console.warn(`[jobdeck] source ${name}: depth samples skipped: ${error}`);
    state.lastErrors.set(name, error);
  }
  for (const name of Object.keys(sampled.written)) {
    if (state.lastErrors.delete(name)) console.log(`[jobdeck] source ${name}: depth samples resumed`);
  }
  const unknown = await reconcilePendingAudit(db);
  if (unknown) console.warn(`[jobdeck] ${unknown} audit intent(s) never got an outcome: marked unknown`);
  if (Date.now() - state.lastHousekeeping > HOUSEKEEPING_EVERY_MS) {
    state.lastHousekeeping = Date.now();
    await deleteExpiredSourceSamples(db, retentionConfig().rollupDays);
  }
}

/**
 * Starts the loop once per process (no-op when already running or without foreign sources).
 * A tick that cannot reach the control database logs and waits for the next one.
 */
export function startSourceMaintenance(): void {
  if (cache.jobdeckSourceLoop || readSourcesConfig().length === 0) return;
  const seconds = Number(process.env.JOBDECK_MAINTENANCE_INTERVAL_SECONDS ?? 15);
  const state: MaintenanceState = { lastHousekeeping: 0, lastErrors: new Map() };
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await sourceMaintenanceTick(state);
    } catch (err) {
      console.error(`[jobdeck] source maintenance: ${describeDbError(err)}`);
    } finally {
      running = false;
    }
  };
  cache.jobdeckSourceLoop = setInterval(tick, Math.max(1, seconds) * 1000);
  // The first tick waits one interval: at start-up a demo (or a deploy) may still be creating the sources' schemas.
  cache.jobdeckSourceLoop.unref();
}

export async function stopSourceMaintenance(): Promise<void> {
  if (cache.jobdeckSourceLoop) clearInterval(cache.jobdeckSourceLoop);
  cache.jobdeckSourceLoop = undefined;
  const registry = cache.jobdeckMaintenanceSources;
  cache.jobdeckMaintenanceSources = undefined;
  await registry?.close();
}
