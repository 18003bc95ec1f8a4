// The demo's "billing team": an application that runs a real pg-boss 12 (started, with its own
// migrations, supervision and maintenance) on the same database as Jobdeck, so the all-sources
// overview has a live pg-boss source. It creates two queues, sends a trickle of jobs and works
// them with a handler that is sometimes slow (active jobs to see) and sometimes throws (retry and
// failed jobs for operators to retry). Jobdeck itself only reads these tables and acts through
// pg-boss's own functions (lib/sources/pgboss); this module is the application, not Jobdeck.
import type { PgBoss as PgBossClass } from "pg-boss-v12";
import type { Database } from "../../db/client";
import { between, chance, DemoError, hex, pick, sleep } from "./util";

export interface PgBossDemoOptions {
  db: Database;
  /** pg-boss's connection on PostgreSQL (the embedded database needs none). */
  databaseUrl?: string;
  /** The pg-boss schema (the source's `schema`, default pgboss). */
  schema?: string;
  /** Milliseconds between two sends (default 1500). */
  sendEveryMs?: number;
  /** Share of attempts that throw (default 0.2). */
  failRate?: number;
  /** Share of attempts that take 8-15 s (default 0.1). */
  slowRate?: number;
  log?: (message: string) => void;
}

export interface PgBossDemo {
  boss: PgBossClass;
  stop(): Promise<void>;
}

// retryLimit / retryDelay make failures come back a few times before they stay failed; a short
// expiry returns the jobs of a demo that was killed (not stopped) within two minutes.
const QUEUES = [
  { name: "invoices", share: 0.7, concurrency: 2, options: { retryLimit: 2, retryDelay: 5, expireInSeconds: 120 } },
  { name: "refunds", share: 0.3, concurrency: 1, options: { retryLimit: 1, retryDelay: 10, expireInSeconds: 120 } },
] as const;

const ERRORS = [
  ["CardDeclinedError", () => `card ending ${pick(["4242", "0341", "9995"])} was declined (insufficient_funds)`],
  ["GatewayTimeoutError", () => "payment provider did not answer within 10 s"],
  ["LedgerConflictError", () => `ledger entry ${hex(8)} was changed by another transaction; try again`],
] as const;

/** Keeps at most this many jobs waiting, so a long-running demo stays small. */
const MAX_WAITING = 150;

export async function startPgBossDemo(opts: PgBossDemoOptions): Promise<PgBossDemo> {
  const { db, schema = "pgboss", sendEveryMs = 1_500, failRate = 0.2, slowRate = 0.1 } = opts;
  const log = opts.log ?? ((m: string) => console.log(`[jobdeck demo] ${m}`));
  const verbose = process.env.JOBDECK_DEMO_VERBOSE === "1";
  const { PgBoss, fromPglite } = await import("pg-boss-v12");
  // On PGlite, pg-boss's own adapter over the one shared connection: PGlite's query() runs one
  // statement, so pg-boss's multi-statement blocks (migrations, locked sections) go through
  // exec(), and a block that fails halfway is rolled back. (That ROLLBACK queues behind any
  // statement already waiting for the connection, which then fails once.) On PostgreSQL a
  // small pool of its own.
  const connection = db.pglite
    ? { db: fromPglite(db.pglite), backend: "pglite" as const }
    : { connectionString: opts.databaseUrl ?? process.env.DATABASE_URL, max: 3, application_name: "jobdeck-demo-billing" };
  if (!db.pglite && !connection.connectionString) throw new Error("pg-boss demo: no DATABASE_URL for pg-boss to connect to");
  // A heartbeat every 10 s (default 30): the instance and its workers show on /workers sooner.
  const boss = new PgBoss({ ...connection, schema, instanceHeartbeatSeconds: 10 });
  boss.on("error", (err) => log(`billing (pg-boss): ${(err as Error).message}`));
  boss.on("warning", (w) => {
    if (verbose) log(`billing (pg-boss) warning: ${(w as { message?: string }).message}`);
  });
  await boss.start();

  // createQueue leaves an existing queue as it is: restarting the demo changes nothing.
  for (const q of QUEUES) await boss.createQueue(q.name, q.options);

  let stopping = false;
  // job.signal aborts when pg-boss gives up on the job (its stop() grace ran out, or it expired).
  const handle = async (job: { name: string; data: Record<string, unknown>; signal: AbortSignal }) => {
    await sleep(chance(slowRate) ? between(8_000, 15_000) : between(200, 2_500), job.signal);
    // A deleted customer fails every attempt: these run out of retries within seconds.
    const customer = String(job.data.customer ?? "");
    if (customer.startsWith("cus_deleted_")) throw new DemoError("CustomerNotFoundError", `customer ${customer} no longer exists`);
    if (chance(failRate)) {
      const [name, message] = pick(ERRORS);
      throw new DemoError(name, message());
    }
    return job.name === "invoices" ? { charged: job.data.amountCents, receipt: `rcpt_${hex(10)}` } : { refunded: job.data.amountCents };
  };
  for (const q of QUEUES) {
    await boss.work(q.name, { batchSize: 1, localConcurrency: q.concurrency, pollingIntervalSeconds: 1 }, async ([job]) =>
      handle(job as unknown as Parameters<typeof handle>[0]),
    );
  }

  let sent = 0;
  const send = async () => {
    const q = Math.random() < QUEUES[0].share ? QUEUES[0] : QUEUES[1];
    const waiting = (await boss.getQueue(q.name))?.queuedCount ?? 0;
    if (waiting > MAX_WAITING) return;
    sent++;
    const amountCents = Math.round(between(500, 250_000));
    const data =
      q.name === "invoices"
        ? { invoiceId: `INV-${Date.now().toString(36).toUpperCase()}-${sent}`, customer: chance(0.04) ? `cus_deleted_${hex(4)}` : `cus_${hex(8)}`, amountCents }
        : { refundId: `re_${hex(10)}`, invoiceId: `INV-${hex(6).toUpperCase()}`, amountCents, reason: pick(["duplicate", "requested_by_customer", "fraudulent"]) };
    await boss.send(q.name, data, { priority: pick([0, 0, 0, 5]), ...(chance(0.1) ? { startAfter: pick([30, 120, 600]) } : {}) });
  };
  const producer = setInterval(() => {
    if (!stopping) send().catch((err) => log(`billing (pg-boss) producer: ${(err as Error).message}`));
  }, sendEveryMs);
  producer.unref?.();
  log(`billing (pg-boss ${schema}): queues ${QUEUES.map((q) => `${q.name}×${q.concurrency}`).join(", ")} working, a job every ${sendEveryMs / 1000} s`);

  return {
    boss,
    async stop() {
      stopping = true;
      clearInterval(producer);
      // pg-boss waits 2 s for the active jobs, then fails the rest ("pg-boss shut down while
      // active": they come back as retries on the next start) and removes its instance row.
      await boss.stop({ graceful: true, timeout: 2_000 });
    },
  };
}
