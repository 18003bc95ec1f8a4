// The demo's foreign applications on PostgreSQL: the graphile-worker "mail" application runs a
// real graphile-worker pool whose jobs appear through Jobdeck's graphile-worker source — retrying
// and permanently failed ones — and releases its locks when it stops; and startDemo, given the
// JOBDECK_SOURCES that `npm run demo` sets with DATABASE_URL, starts both applications (pg-boss
// and graphile-worker) beside the native workers, and stopDemo stops them all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphileDemo, type GraphileDemo } from "../../lib/demo/graphile";
import { startDemo, stopDemo } from "../../lib/demo";
import { createGraphileSource } from "../../lib/sources/graphile";
import { createPgBossSource } from "../../lib/sources/pgboss";
import type { Source, SourceJob } from "../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

const logged: string[] = [];
const log = (m: string) => logged.push(m);

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; log: ${logged.join(" | ")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const list = async (s: Source, states: SourceJob["state"][] = []): Promise<SourceJob[]> => (await s.listJobs({ criteria: { states }, limit: 1_000 })).jobs;

describe("the demo's graphile-worker application", () => {
  let t: TestDatabase;
  let app: GraphileDemo | null = null;
  let source: Source;

  beforeAll(async () => {
    t = await createTestDatabase("demo_graphile");
    app = await startGraphileDemo({ db: t.db, databaseUrl: t.url, addEveryMs: 200, failRate: 1, slowRate: 0, log });
    source = await createGraphileSource({ name: "mail", kind: "graphile-worker", url: null, schema: "graphile_worker", readOnly: false }, t.db, { DATABASE_URL: t.url });
  });

  afterAll(async () => {
    await app?.stop().catch(() => {});
    await source?.close();
    await t?.drop();
  });

  it("leaves retrying and permanently failed jobs (here every attempt fails)", async () => {
    const seen = await waitFor("retrying and permanently failed graphile-worker jobs", async () => {
      const all = await list(source);
      const failed = all.filter((j) => j.state === "failed");
      const dead = all.filter((j) => j.state === "dead");
      return failed.length && dead.length ? { failed, dead } : null;
    });
    expect(seen.dead[0].nativeState).toBe("permanently failed");
    expect(seen.dead[0].errorLine).toMatch(/try again later|mailbox unavailable|has no variable|no such user/);
    expect([...new Set([...seen.failed, ...seen.dead].map((j) => j.kind))].every((k) => ["send_email", "send_digest"].includes(k))).toBe(true);
  });

  it("stops gracefully: no job stays locked by it", async () => {
    await waitFor("jobs in progress", async () => (await list(source, ["running"])).length > 0);
    await app!.stop();
    app = null;
    expect(await list(source, ["running"])).toEqual([]);
  });
});

describe("startDemo with the sources `npm run demo` sets on PostgreSQL", () => {
  let t: TestDatabase;
  let boss: Source;
  let mail: Source;
  const saved = { ...process.env };

  beforeAll(async () => {
    t = await createTestDatabase("demo_sources");
    Object.assign(process.env, {
      DATABASE_URL: t.url,
      JOBDECK_SOURCES: JSON.stringify([{ name: "billing", kind: "pg-boss" }, { name: "mail", kind: "graphile-worker" }]),
      JOBDECK_DEMO_SOURCES: "1",
    });
    await startDemo({ db: t.db, log });
    boss = await createPgBossSource({ name: "billing", kind: "pg-boss", url: null, schema: "pgboss", readOnly: false }, t.db, { DATABASE_URL: t.url });
    mail = await createGraphileSource({ name: "mail", kind: "graphile-worker", url: null, schema: "graphile_worker", readOnly: false }, t.db, { DATABASE_URL: t.url });
  });

  afterAll(async () => {
    await stopDemo().catch(() => {});
    await boss?.close();
    await mail?.close();
    await t?.drop();
    process.env = saved;
  });

  it("runs pg-boss and graphile-worker beside the native workers", async () => {
    expect(logged.some((m) => m.startsWith("billing (pg-boss pgboss): queues invoices×2, refunds×1 working"))).toBe(true);
    expect(logged.some((m) => m.startsWith("mail (graphile-worker graphile_worker): send_email and send_digest working"))).toBe(true);
    await waitFor("a pg-boss job completed", async () => (await list(boss, ["completed"])).length > 0);
    await waitFor("graphile-worker jobs added", async () => (await list(mail)).length > 0);
    expect((await boss.info()).schemaVersion).toBe("46");
  });

  it("stopDemo stops both applications: pg-boss's instance is stopped, no graphile-worker job stays locked", async () => {
    await stopDemo();
    expect((await boss.listWorkers()).filter((w) => w.status === "online")).toEqual([]);
    expect(await list(mail, ["running"])).toEqual([]);
    expect(logged.filter((m) => /did not start|error/i.test(m))).toEqual([]);
  });
});
