// The world of the sources API tests: one test database holding Jobdeck's own jobs, a real
// pg-boss 12 (schema pgboss) with its producer and worker, a real pg-boss 10 (schema legacy) and
// a real graphile-worker, each made by its own library; a `next start` of this build whose
// JOBDECK_SOURCES names them (plus a read-only graphile-worker source and a pg-boss source on a
// port where nothing listens); tokens of each kind. Ports are picked free, never fixed.
import type { WorkerUtils } from "graphile-worker";
import PgBoss10 from "pg-boss";
import { createApiToken, type TokenScope } from "../../lib/auth/tokens";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { installGraphileWorker, runOnceWith } from "../sources/graphile/fixture";
import { type Boss, failing, makeBoss, sql, startWorker, until } from "../sources/pgboss/harness";
import { freePort, type RunningServer, startServer } from "./server";

export const Q = "invoices";
export const THRESHOLD = 3;

export interface SourcesWorld {
  t: TestDatabase;
  app: RunningServer;
  boss: Boss;
  legacy: { stop(o?: object): Promise<void> };
  utils: WorkerUtils;
  /** pg-boss keys by label (`invoices:<uuid>`), graphile-worker ids, native ids. */
  keys: Record<string, string>;
  native: Record<string, number>;
  tokens: Record<"read" | "write" | "admin", string>;
  bossState(label: string): Promise<string | undefined>;
  close(): Promise<void>;
}

async function token(t: TestDatabase, name: string, scopes: TokenScope[]): Promise<string> {
  return (await createApiToken(t.db, { name, owner: "sre@example.com", scopes, actor: { name: "test" } })).token;
}

export async function createSourcesWorld(): Promise<SourcesWorld> {
  const t = await createTestDatabase("api_sources");
  const keys: Record<string, string> = {};
  const native: Record<string, number> = {};
  const nativeJob = async (state: string) =>
    (await t.db.query<{ id: number }>("insert into jobs (kind, queue, state, attempts, finished_at, last_error) values ('native_kind', 'native', $1, 1, case when $1 = 'dead' then now() end, 'boom') returning id", [state]))[0].id;
  native.dead = await nativeJob("dead");
  native.pending = await nativeJob("pending");

  // pg-boss 12: completed, failed for good (dead), scheduled, and one active past its expiry (stale).
  const boss = makeBoss(12, t.url);
  await boss.start();
  await boss.createQueue(Q);
  await boss.createQueue("stuck");
  const send = async (label: string, queue: string, data: object, o: Record<string, unknown> = {}) => {
    keys[label] = `${queue}:${(await boss.send(queue, { label, ...data }, o))!}`;
  };
  await send("ok1", Q, {});
  await send("dead1", Q, { fail: true, token: "s3cret" }, { retryLimit: 0 });
  await send("dead2", Q, { fail: true }, { retryLimit: 0 });
  for (const l of ["later1", "later2", "later3"]) await send(l, Q, {}, { startAfter: 3600 });
  await send("stuck", "stuck", {}, { retryLimit: 0, expireInSeconds: 1 });
  await boss.fetch("stuck");
  failing.on = true;
  await startWorker(boss, Q);
  const bossState = async (label: string) =>
    (await sql<{ state: string }>(t.url, "select state::text from pgboss.job where id = $1", [keys[label].split(":").pop()]))[0]?.state;
  await until("pg-boss's worker to settle the jobs", async () => (await bossState("ok1")) === "completed" && (await bossState("dead1")) === "failed" && (await bossState("dead2")) === "failed");

  // pg-boss 10 in its own schema: one queued job.
  const legacy = new PgBoss10({ connectionString: t.url, schema: "legacy", supervise: false, schedule: false, max: 2 });
  legacy.on("error", () => {});
  await legacy.start();
  await legacy.createQueue("reports");
  keys.report = `reports:${(await legacy.send("reports", { n: 1 }, { startAfter: 3600 }))!}`;

  // graphile-worker: four webhook jobs failed for good by its own worker, one waiting.
  const utils = await installGraphileWorker(t.url);
  for (let i = 1; i <= THRESHOLD + 1; i++) keys[`hook${i}`] = String((await utils.addJob("hook", { i }, { maxAttempts: 1 })).id);
  await runOnceWith(t.url, {
    hook: async () => {
      throw new Error("ECONNRESET hooks.example.com");
    },
  });
  keys.welcome = String((await utils.addJob("send_welcome", { to: "a@example.com", password: "hunter2" })).id);

  const tokens = { read: await token(t, "reader", ["jobs:read"]), write: await token(t, "runbook", ["jobs:read", "jobs:write"]), admin: await token(t, "root", ["jobs:read", "jobs:write", "admin"]) };
  const down = await freePort();
  const sources = [
    { name: "billing", kind: "pg-boss" },
    { name: "legacy", kind: "pg-boss", schema: "legacy" },
    { name: "mail", kind: "graphile-worker" },
    { name: "mail_ro", kind: "graphile-worker", readOnly: true },
    { name: "down", kind: "pg-boss", url: `postgres://postgres@127.0.0.1:${down}/nothing` },
  ];
  const app = await startServer({
    databaseUrl: t.url,
    env: { JOBDECK_SOURCES: JSON.stringify(sources), JOBDECK_BULK_CONFIRM_THRESHOLD: String(THRESHOLD), JOBDECK_EXPENSIVE_FILTER_LIMIT: "4" },
  });
  return {
    t,
    app,
    boss,
    legacy,
    utils,
    keys,
    native,
    tokens,
    bossState,
    async close() {
      failing.on = true;
      await app?.stop();
      await boss.stop({ graceful: false }).catch(() => {});
      await legacy.stop({ graceful: false }).catch(() => {});
      await utils.release();
      await t.drop();
    },
  };
}
