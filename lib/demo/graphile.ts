// The demo's "mail team": an application that runs a real graphile-worker pool (its own
// migrations, LISTEN/NOTIFY, several sessions) on the demo's PostgreSQL database, adding
// send_email and send_digest jobs that sometimes fail — with few attempts, so some run out and
// stay failed for operators to find. graphile-worker talks to PostgreSQL only through
// node-postgres connections (one held for LISTEN, others for the work), which the embedded PGlite
// (one in-process connection, no server to connect to) cannot give it: there it does not run.
import type { Database } from "../../db/client";
import { between, chance, DemoError, hex, pick, sleep } from "./util";

export interface GraphileDemoOptions {
  db: Database;
  /** graphile-worker's connection string (default DATABASE_URL). */
  databaseUrl?: string;
  /** The graphile-worker schema (the source's `schema`, default graphile_worker). */
  schema?: string;
  /** Milliseconds between two added jobs (default 2000). */
  addEveryMs?: number;
  /** Share of attempts that throw (default 0.25). */
  failRate?: number;
  /** Share of attempts that take 6-12 s (default 0.1). */
  slowRate?: number;
  log?: (message: string) => void;
}

export interface GraphileDemo {
  stop(): Promise<void>;
}

/** Why the graphile-worker part of the demo does not run on the embedded database. */
export const GRAPHILE_NEEDS_POSTGRES =
  "mail (graphile-worker) does not run on the embedded PGlite database: graphile-worker needs a PostgreSQL server it can open several connections to (one stays on LISTEN). Set DATABASE_URL to a PostgreSQL database to see it beside billing (pg-boss)";

const ERRORS = [
  ["SmtpTemporaryError", () => "421 4.7.0 mx.example.net: try again later"],
  ["SmtpPermanentError", () => `550 5.1.1 <${pick(["ana", "bo", "chen"])}@example.org>: mailbox unavailable`],
  ["TemplateError", () => `template "${pick(["receipt", "welcome"])}" has no variable "first_name"`],
] as const;

const MAX_WAITING = 150;

/** Starts the mail application, or returns null (saying why) where it cannot run. */
export async function startGraphileDemo(opts: GraphileDemoOptions): Promise<GraphileDemo | null> {
  const { db, schema = "graphile_worker", addEveryMs = 2_000, failRate = 0.25, slowRate = 0.1 } = opts;
  const log = opts.log ?? ((m: string) => console.log(`[jobdeck demo] ${m}`));
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (db.kind === "pglite" || !url) {
    log(GRAPHILE_NEEDS_POSTGRES);
    return null;
  }
  let gw: typeof import("graphile-worker");
  try {
    gw = await import("graphile-worker");
  } catch {
    // A devDependency: `npm install` brings it, an install without dev packages does not.
    log("mail (graphile-worker) does not run: the graphile-worker package is not installed (npm install)");
    return null;
  }
  const verbose = process.env.JOBDECK_DEMO_VERBOSE === "1";
  // graphile-worker logs every failed attempt as an error; the demo fails on purpose, so quiet.
  const logger = new gw.Logger(() => (level, message) => {
    if (verbose) log(`mail (graphile-worker) ${level}: ${message}`);
  });

  const work = async (kind: string, payload: unknown, signal: AbortSignal) => {
    await sleep(chance(slowRate) ? between(6_000, 12_000) : between(150, 2_000), signal);
    // An address that does not exist fails every attempt: these run out of attempts within seconds.
    const to = String((payload as { to?: string }).to ?? "");
    if (to.endsWith("@invalid.example")) throw new DemoError("SmtpPermanentError", `550 5.1.1 <${to}>: no such user`);
    if (chance(failRate)) {
      const [name, message] = pick(ERRORS);
      throw new DemoError(name, message());
    }
    return { kind, to };
  };
  const runner = await gw.run({
    connectionString: url,
    schema,
    logger,
    concurrency: 3,
    pollInterval: 1_000,
    maxPoolSize: 4,
    // Jobdeck's shutdown (lib/server/startup.ts) stops the demo, which stops this runner.
    noHandleSignals: true,
    gracefulShutdownAbortTimeout: 2_000,
    crontab: "", // not a ./crontab file of whatever directory the server runs in
    // graphile-worker 0.17 does not wait for a finished job's complete/fail statement before a
    // graceful stop ends its pool, so a job aborted at stop stayed locked (for 4 hours). Batching
    // them, even with no delay, makes the stop flush them first.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: {
      send_email: async (payload, helpers) => void (await work("send_email", payload, helpers.abortSignal)),
      send_digest: async (payload, helpers) => void (await work("send_digest", payload, helpers.abortSignal)),
    },
  });

  let stopping = false;
  let added = 0;
  const add = async () => {
    const [row] = await db.query<{ waiting: number }>(
      `select count(*)::int as waiting from ${schema}.jobs where locked_at is null and attempts < max_attempts`,
    );
    if (Number(row?.waiting ?? 0) > MAX_WAITING) return;
    added++;
    const to = `${pick(["ana", "bo", "chen", "dara", "eli"])}.${hex(4)}@${chance(0.04) ? "invalid.example" : "example.org"}`;
    if (chance(0.8)) {
      await runner.addJob("send_email", { to, template: pick(["receipt", "welcome", "password_reset"]), n: added }, { maxAttempts: 3 });
    } else {
      // Digests go through one named queue, so graphile-worker runs them one at a time.
      await runner.addJob("send_digest", { to, period: "daily" }, { maxAttempts: 2, queueName: "digests", runAt: chance(0.3) ? new Date(Date.now() + 60_000) : undefined });
    }
  };
  const producer = setInterval(() => {
    if (!stopping) add().catch((err) => log(`mail (graphile-worker) producer: ${(err as Error).message}`));
  }, addEveryMs);
  producer.unref?.();
  log(`mail (graphile-worker ${schema}): send_email and send_digest working (3 at a time), a job every ${addEveryMs / 1000} s`);

  return {
    async stop() {
      stopping = true;
      clearInterval(producer);
      // Graceful: running jobs get 2 s, then their abortSignal fires and graphile-worker unlocks them.
      await runner.stop();
    },
  };
}
