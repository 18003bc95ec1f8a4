// Server start-up (called from instrumentation.ts on the nodejs runtime): opens the database and
// applies migrations before the first request; with JOBDECK_DEMO=1 starts the in-process demo.
// A database that is down at start-up is logged, not fatal: pages show a banner and connect
// once it returns.
import "server-only";
import { AuthConfigError, authSettings, startupProblem } from "../auth/settings";
import { bulkConfirmThreshold } from "../auth/bulk-limit";
import { closeDb, databaseLabel, describeDbError, getDb } from "./db";

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

export async function startServer(): Promise<void> {
  // Never during `next build`: migrations run at start-up, not at build time.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  checkAuthOrExit();
  const label = await databaseLabel();

  // With NEXT_MANUAL_SIG_HANDLE (set by `npm run demo`) Next leaves signals to us: stop the demo
  // workers (their unfinished jobs are released) and close the database cleanly, then exit.
  if (process.env.NEXT_MANUAL_SIG_HANDLE) {
    const shutdown = async (signal: NodeJS.Signals) => {
      setTimeout(() => process.exit(1), 10_000).unref();
      console.log(`[jobdeck] ${signal}: stopping`);
      const { stopDemo } = await import("../demo");
      await stopDemo().catch(() => {});
      await closeDb();
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", (s) => void shutdown(s));
    process.once("SIGTERM", (s) => void shutdown(s));
  }

  try {
    await getDb();
    console.log(`[jobdeck] database ready: ${label}`);
  } catch (err) {
    console.error(`[jobdeck] database unavailable at start-up (${label}): ${describeDbError(err)}; pages will retry`);
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
}
