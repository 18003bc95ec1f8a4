// The Celery bridges inside the app server: one per celery source of JOBDECK_SOURCES, started with
// the server (lib/server/startup.ts) unless JOBDECK_CELERY_BRIDGE=off (a standalone `jobdeck
// celery-bridge` runs them instead). Every replica starts them; the leader lock in the control
// database lets one per source write, so replicas and standalone bridges never double-write.
// The bridges are this module's own: nothing here is shared with route handlers (the
// instrumentation bundle has its own copies of our classes); their database is getDb()'s.
import "server-only";
import { type CeleryBridge, startCeleryBridge } from "@/lib/celery/bridge";
import { type CelerySourceConfig, readSourcesConfig, SourceConfigError } from "@/lib/sources/config";
import { describeDbError, getDb } from "./db";

export type CeleryBridgeMode = "server" | "off";

/** JOBDECK_CELERY_BRIDGE: `server` (default: the app server runs the bridges) or `off`. */
export function celeryBridgeMode(env: Record<string, string | undefined> = process.env): CeleryBridgeMode {
  const raw = env.JOBDECK_CELERY_BRIDGE?.trim().toLowerCase();
  if (!raw || raw === "server") return "server";
  if (raw === "off") return "off";
  throw new SourceConfigError(`JOBDECK_CELERY_BRIDGE must be "server" (the default) or "off" (got "${env.JOBDECK_CELERY_BRIDGE}")`);
}

let bridges: CeleryBridge[] = [];
let starting: Promise<void> | null = null;
let stopped = false;

/** Starts the bridges once (no-op without celery sources, or with JOBDECK_CELERY_BRIDGE=off). */
export function startCeleryBridges(): void {
  if (starting) return;
  const configs = readSourcesConfig().filter((c): c is CelerySourceConfig => c.kind === "celery");
  if (!configs.length) return;
  if (celeryBridgeMode() === "off") {
    console.log(`[jobdeck] celery: JOBDECK_CELERY_BRIDGE=off: this server does not listen to ${configs.map((c) => c.name).join(", ")} (run \`jobdeck celery-bridge --source NAME\`)`);
    return;
  }
  stopped = false;
  starting = (async () => {
    // A control database that is down at start-up: keep trying, as pages do.
    for (let attempt = 0; !stopped; attempt++) {
      try {
        const db = await getDb();
        if (stopped) return;
        const databaseUrl = db.kind === "postgres" ? (process.env.DATABASE_URL ?? null) : null;
        bridges = configs.map((config) => startCeleryBridge({ config, db, databaseUrl }));
        return;
      } catch (err) {
        if (attempt === 0) console.error(`[jobdeck] celery bridges wait for the database: ${describeDbError(err)}`);
        await new Promise((r) => setTimeout(r, 5_000).unref());
      }
    }
  })();
}

/** Stops them (graceful shutdown, before the database closes): buffered events are written first. */
export async function stopCeleryBridges(): Promise<void> {
  stopped = true;
  await starting;
  const running = bridges;
  bridges = [];
  starting = null;
  await Promise.all(running.map((b) => b.stop().catch(() => {})));
}
