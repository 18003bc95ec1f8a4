// The demo's pg-boss application on the embedded database: a real pg-boss 12 started on a real
// PGlite (its migrations, supervision and instance registry through pg-boss's own PGlite adapter)
// beside Jobdeck's own tables. Its jobs appear through Jobdeck's pg-boss source with completed,
// retrying and failed ones; Jobdeck retries a failed one through pg-boss; the application stops
// cleanly and starts again on the same data directory (the demo restarts) without an error.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";
import { startPgBossDemo, type PgBossDemo } from "../../lib/demo/pgboss";
import { createPgBossSource } from "../../lib/sources/pgboss";
import type { Source, SourceJob } from "../../lib/sources/types";

const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-demo-pgboss-"));
const logged: string[] = [];
let db: Database;
let app: PgBossDemo | null = null;
let source: Source;

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; log: ${logged.join(" | ")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const jobs = async (): Promise<SourceJob[]> => (await source.listJobs({ criteria: { states: [] }, limit: 1_000 })).jobs;
const start = () => startPgBossDemo({ db, sendEveryMs: 100, failRate: 0.5, slowRate: 0, log: (m) => logged.push(m) });

beforeAll(async () => {
  db = await openDatabase({ dataDir: dir, databaseUrl: "" });
  await migrate(db);
  app = await start();
  // No DATABASE_URL: the source lives in the embedded control database, as in `npm run demo`.
  source = await createPgBossSource({ name: "billing", kind: "pg-boss", url: null, schema: "pgboss", readOnly: false }, db, {});
});

afterAll(async () => {
  await app?.stop().catch(() => {});
  await source?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the demo's pg-boss application on PGlite", () => {
  it("is a pg-boss 12 schema Jobdeck can act on", async () => {
    const info = await source.info();
    expect(info).toMatchObject({ kind: "pg-boss", libraryVersion: "12.38.0", schemaVersion: "46", readOnly: false });
    expect(info.location).toMatch(/^pglite .* schema=pgboss$/);
  });

  it("works its jobs: completed ones, failed ones coming back (retry) and ones out of retries", async () => {
    const seen = await waitFor("completed, retry and failed pg-boss jobs", async () => {
      const all = await jobs();
      const by = (s: string) => all.filter((j) => j.nativeState === s);
      return by("completed").length && by("retry").length && by("failed").length ? { completed: by("completed"), retry: by("retry"), failed: by("failed") } : null;
    });
    expect(new Set([...seen.completed, ...seen.failed].map((j) => j.queue))).toEqual(new Set(["invoices", "refunds"]));
    expect(seen.completed[0]).toMatchObject({ state: "completed", errorLine: null });
    expect(seen.failed[0].state).toBe("dead");
    expect(seen.failed[0].errorLine).toMatch(/declined|did not answer|ledger entry/);
    expect(seen.retry[0].state).toBe("failed");
  });

  it("registers as a running pg-boss instance, and its supervision runs on the one shared connection", async () => {
    // The instance row says which queues it works from its first heartbeat on (every 10 s).
    const [worker] = await waitFor("the instance's first heartbeat", async () => {
      const online = (await source.listWorkers()).filter((w) => w.status === "online");
      return online.length && online[0].queues.length ? online : null;
    });
    expect([...worker.queues].sort()).toEqual(["invoices", "refunds"]);
    expect(worker.version).toBe("pg-boss 12.38.0");
    await app!.boss.supervise(); // pg-boss's maintenance pass (advisory lock, expiry, retention)
    expect(logged.filter((m) => /error/i.test(m))).toEqual([]);
  });

  it("lets Jobdeck retry a failed job through pg-boss while the application works on", async () => {
    const dead = (await jobs()).find((j) => j.nativeState === "failed")!;
    const ctx = { control: db, actor: { name: "ops@example.com", roles: ["operator"] }, reason: "demo test", auditPrefix: "jobs" };
    const r = await source.apply({ action: "retry", target: { keys: [dead.key] } }, ctx);
    expect(r.affected).toBe(1);
    // pg-boss's own worker takes it again: it settles as completed, or fails once more.
    await waitFor("the retried job to run again", async () => {
      const again = (await source.getJob(dead.key))?.job;
      return again && again.attempts > dead.attempts && ["completed", "retry", "failed"].includes(again.nativeState);
    });
  });

  it("stops cleanly and starts again on the same database, keeping its jobs", async () => {
    const before = (await jobs()).length;
    await app!.stop();
    app = null;
    expect((await source.listWorkers()).filter((w) => w.status === "online")).toHaveLength(0);
    app = await start();
    await waitFor("jobs sent after the restart", async () => (await jobs()).length > before);
    expect((await source.listWorkers()).filter((w) => w.status === "online")).toHaveLength(1);
    await app.stop();
    app = null;
    expect(logged.filter((m) => /error/i.test(m))).toEqual([]);
  });
});
