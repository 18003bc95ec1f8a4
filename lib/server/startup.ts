// Server start-up (called from instrumentation.ts on the nodejs runtime): opens the database and
// applies migrations before the first request; with JOBDECK_DEMO=1 starts the in-process demo.
// A bad JOBDECK_SOURCES (or JOBDECK_CELERY_BRIDGE, JOBDECK_STATEMENT_TIMEOUT_MS, DATABASE_READ_URL)
// stops start-up (exit 78). Celery sources' event bridges start here too (lib/server/celery-bridges.ts). A database that is down at start-up is logged,
// not fatal: pages show a banner and connect once it returns (so does the sources' maintenance).
import "server-only";
import { AuthConfigError, authSettings, startupProblem } from "../auth/settings";
import { bulkConfirmThreshold } from "../auth/bulk-limit";
import { readSourcesConfig, SourceConfigError } from "../sources/config";
import { closeDb, databaseLabel, describeDbError, getDb } from "./db";
import { checkDbSettings, DbSettingsError } from "./db-settings";

/** Sign-in must be configured before anyone can reach the dashboard: otherwise stop here, loudly. */
function checkAuthOrExit(): void {
  let problem: string | null;
  try {
    const settings = authSettings();
    bulkConfirmThreshold();
    problem = startupProblem(settings);
    if (!problem) {
      const modes = [settings.oidc ? `OIDC (${settings.oidc.issuer})` : null, settings.demo ? "demo sign-in (not for production)" : null].filter(Boolean);
      console.log(`[jobdeck] sign-in: ${modes.join(" + ")}; sessions last ${settings.sessionHours} h${settings.production ? "" : " (development server)"}`);
      if (settings.demoAlongsideSso) console.warn("[jobdeck] WARNING: demo users enabled alongside SSO (JOBDECK_DEMO_AUTH=force): anyone who reaches this server can sign in as a demo admin");
    }
  } catch (err) {
    if (!(err instanceof AuthConfigError) && !(err instanceof Error)) throw err;
    problem = err.message;
  }
  if (problem) {
    console.error(`[jobdeck] refusing to start: ${problem}`);
    process.exit(78); // EX_CONFIG
  }
}

/** A bad JOBDECK_STATEMENT_TIMEOUT_MS or DATABASE_READ_URL stops start-up with the line naming it. */
function checkDbSettingsOrExit(): void {
  try {
    checkDbSettings();
  } catch (err) {
    if (!(err instanceof DbSettingsError)) throw err;
    console.error(`[jobdeck] refusing to start: ${err.message}`);
    process.exit(78); // EX_CONFIG
  }
}

/** A bad JOBDECK_SOURCES entry stops start-up with the one line naming the entry and the field. */
async function checkSourcesOrExit(): Promise<void> {
  try {
    const sources = readSourcesConfig();
    const { celeryBridgeMode } = await import("./celery-bridges");
    celeryBridgeMode();
    if (sources.length) console.log(`[jobdeck] sources: jobdeck (native), ${sources.map((s) => `${s.name} (${s.kind}${s.readOnly ? ", read-only" : ""})`).join(", ")}`);
  } catch (err) {
    if (!(err instanceof SourceConfigError)) throw err;
    console.error(`[jobdeck] refusing to start: ${err.message}`);
    process.exit(78); // EX_CONFIG
  }
}

export async function startServer(): Promise<void> {
  // Never during `next build`: migrations run at start-up, not at build time.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  checkAuthOrExit();
  checkDbSettingsOrExit();
  await checkSourcesOrExit();
  const label = await databaseLabel();

  // With NEXT_MANUAL_SIG_HANDLE (set by `npm run demo`) Next leaves signals to us: stop the demo
  // workers (their unfinished jobs are released) and close the database cleanly, then exit.
  if (process.env.NEXT_MANUAL_SIG_HANDLE) {
    const shutdown = async (signal: NodeJS.Signals) => {
      setTimeout(() => process.exit(1), 10_000).unref();
      console.log(`[jobdeck] ${signal}: stopping`);
      const { stopDemo } = await import("../demo");
      const { stopSourceMaintenance } = await import("./source-maintenance");
      const { closeSources } = await import("./sources");
      const { stopCeleryBridges } = await import("./celery-bridges");
      await stopSourceMaintenance().catch(() => {});
      (await import("./counter-fold")).stopCounterFolding();
      // Before the database closes: the bridges write what they buffered and mark themselves stopped.
      await stopCeleryBridges().catch(() => {});
      await stopDemo().catch(() => {});
      await closeSources().catch(() => {});
      const { closeReadDb } = await import("./read-db");
      await closeReadDb();
      await closeDb();
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", (s) => void shutdown(s));
    process.once("SIGTERM", (s) => void shutdown(s));
  }

  // Foreign sources: depth samples for their charts, audit intents without an outcome. Started
  // after the demo, which creates its sources' schemas; its ticks wait out a database outage.
  const { startSourceMaintenance } = await import("./source-maintenance");
  // Native job counters: fold their deltas here too, so reads stay cheap while no worker runs.
  (await import("./counter-fold")).startCounterFolding();
  // Celery sources: the event bridges (one leader per source across replicas and standalone bridges).
  const { startCeleryBridges } = await import("./celery-bridges");
  startCeleryBridges();

  try {
    await getDb();
    console.log(`[jobdeck] database ready: ${label}`);
  } catch (err) {
    console.error(`[jobdeck] database unavailable at start-up (${label}): ${describeDbError(err)}; pages will retry`);
    startSourceMaintenance();
    return;
  }
  if (process.env.JOBDECK_DEMO === "1") {
    const { startDemo } = await import("../demo");
    try {
      await startDemo({ db: await getDb() });
    } catch (err) {
      console.error(`[jobdeck] demo workload failed to start: ${describeDbError(err)}`);
    }
  }
  startSourceMaintenance();
}
