// A graphile-worker source in ANOTHER database than the control database: actions write an
// intent audit row first and its outcome after (error included); a read-only source, a schema
// Jobdeck does not know, a missing schema and an unreachable server each say what is wrong.
import type { WorkerUtils } from "graphile-worker";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CapabilityError, type Source, SourceUnavailableError } from "../../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { ctx, installGraphileWorker, openSource, runOnceWith, sourceConfig, viewRow } from "./fixture";

let control: TestDatabase;
let guest: TestDatabase;
let utils: WorkerUtils;
let source: Source;
const opened: Source[] = [];

const open = async (over: Parameters<typeof sourceConfig>[0]) => {
  const s = await openSource(sourceConfig({ url: guest.url, ...over }), control.db, control.url);
  opened.push(s);
  return s;
};
const add = async (task = "mail") => String((await utils.addJob(task, {})).id);

beforeAll(async () => {
  control = await createTestDatabase("gw_control");
  guest = await createTestDatabase("gw_guest");
  utils = await installGraphileWorker(guest.url);
  source = await open({});
});

afterAll(async () => {
  await utils?.release();
  for (const s of opened) await s.close();
  await guest?.drop();
  await control?.drop();
});

describe("graphile-worker source in another database", () => {
  it("writes the intent before the change and the outcome after it, in the control database", async () => {
    const key = await add();
    const r = await source.apply({ action: "cancel", target: { keys: [key] } }, ctx(control.db, { reason: "duplicate" }));
    expect(r.affected).toBe(1);
    const [row] = await control.db.query<{ outcome: string; affected: number; source: string; target_keys: string[]; details: Record<string, unknown> }>(
      "select * from audit_events where id = $1",
      [r.auditIds[0]],
    );
    expect(row).toMatchObject({ outcome: "ok", affected: 1, source: "mail", target_keys: [key] });
    expect(row.details.database).toMatch(/^postgres 127\.0\.0\.1:5432\/jobdeck_test_gw_guest_/);
    expect(await guest.db.query("select 1 from audit_events")).toEqual([]);
    expect((await source.getJob(key))!.job.state).toBe("dead");
  });

  it("records the error when the change fails (a row locked elsewhere), leaves the job as it was, and keeps the source up", async () => {
    const key = await add();
    const blocker = new pg.Client({ connectionString: guest.url });
    await blocker.connect();
    try {
      // Someone else holds the job's row lock past the guest's 2 s lock timeout.
      await blocker.query("begin");
      await blocker.query("select 1 from graphile_worker._private_jobs where id = $1 for update", [key]);
      const err = await source.apply({ action: "runNow", target: { keys: [key] } }, ctx(control.db)).catch((e) => e);
      expect(err).not.toBeInstanceOf(SourceUnavailableError);
      expect(String(err.message)).toMatch(/lock timeout/);
    } finally {
      await blocker.query("rollback");
      await blocker.end();
    }
    const [row] = await control.db.query<{ outcome: string; affected: number; details: Record<string, unknown> }>(
      "select * from audit_events where action = 'jobs.run_now' order by id desc limit 1",
    );
    expect(row.outcome).toBe("error");
    expect(String(row.details.error)).toMatch(/lock timeout/);
    expect(await viewRow(guest.url, key)).toMatchObject({ attempts: 0, last_error: null });
    expect((await source.health()).breaker).toBe("closed");
  });

  it("a read-only source reads but refuses every action with CapabilityError", async () => {
    const ro = await open({ readOnly: true });
    const key = await add();
    const info = await ro.info();
    expect(info).toMatchObject({ readOnly: true, readOnlyReason: "configured read-only" });
    for (const c of ["retry", "cancel", "priority", "runNow", "recoverStale"] as const) expect(info.capabilities[c]).toEqual({ supported: false, reason: "configured read-only" });
    const err = await ro.apply({ action: "cancel", target: { keys: [key] } }, ctx(control.db)).catch((e) => e);
    expect(err).toBeInstanceOf(CapabilityError);
    expect(err).toMatchObject({ capability: "cancel", reason: "configured read-only" });
    await expect(ro.preview({ action: "retry", target: { keys: [key] } })).rejects.toBeInstanceOf(CapabilityError);
    await expect(ro.recoverStale({ target: { all: true } }, ctx(control.db))).rejects.toMatchObject({ capability: "recoverStale" });
    expect((await ro.getJob(key))!.job.state).toBe("pending");
    expect(await control.db.query("select 1 from audit_events where target_keys @> array[$1]", [key])).toEqual([]);
    const ran: string[] = [];
    await runOnceWith(guest.url, {
      mail: async (_payload, helpers) => {
        ran.push(String(helpers.job.id));
      },
    });
    expect(ran).toContain(key); // untouched: it simply ran
  });

  it("turns read-only when the schema has a breaking migration Jobdeck does not know", async () => {
    await guest.db.query("insert into graphile_worker.migrations (id, breaking) values (25, true)");
    try {
      const future = await open({});
      const info = await future.info();
      expect(info.schemaVersion).toBe("25");
      expect(info.readOnly).toBe(true);
      expect(info.readOnlyReason).toMatch(/breaking migration 25, newer than the 0\.17 schema Jobdeck knows/);
      expect(info.capabilities.retry).toEqual({ supported: false, reason: info.readOnlyReason });
      await expect(future.apply({ action: "retry", target: { keys: ["1"] } }, ctx(control.db))).rejects.toMatchObject({ capability: "retry" });
      expect((await future.listJobs({ criteria: { states: [] }, limit: 5 })).jobs.length).toBeGreaterThan(0);
    } finally {
      await guest.db.query("delete from graphile_worker.migrations where id = 25");
    }
  });

  it("says so when the schema is missing or predates the jobs view", async () => {
    const missing = await open({ schema: "nowhere" });
    const err = await missing.listJobs({ criteria: { states: [] }, limit: 5 }).catch((e) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.message).toMatch(/no graphile-worker schema "nowhere"/);
    expect(await missing.health()).toMatchObject({ ok: false, error: expect.stringMatching(/no graphile-worker jobs view in schema "nowhere"/) });

    await guest.db.query("create schema old_gw; create table old_gw.migrations (id int primary key, ts timestamptz not null default now(), breaking boolean not null default false)");
    await guest.db.query("insert into old_gw.migrations (id) select generate_series(1, 15)");
    const old = await open({ schema: "old_gw" });
    await expect(old.summary()).rejects.toThrow(/schema revision 15 predates the jobs view/);
    expect(await old.info()).toMatchObject({ schemaVersion: "15", readOnly: true });
  });

  it("an unreachable database: health not ok without secrets, reads fail fast, the breaker opens", async () => {
    const down = await open({ url: "postgres://jobdeck:s3cret-pw@127.0.0.1:1/graphile" });
    const h = await down.health();
    expect(h.ok).toBe(false);
    expect(h.error).toMatch(/^postgres 127\.0\.0\.1:1\/graphile schema=graphile_worker: .*ECONNREFUSED/);
    expect(JSON.stringify(h)).not.toMatch(/s3cret/);
    expect(JSON.stringify(await down.info())).not.toMatch(/s3cret/);
    for (let i = 0; i < 3; i++) await expect(down.listJobs({ criteria: { states: [] }, limit: 5 })).rejects.toBeInstanceOf(SourceUnavailableError);
    expect((await down.health()).breaker).toBe("open");
    const t0 = performance.now();
    const err = await down.getJob("1").catch((e) => e);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.message).toMatch(/not asked again/);
    await expect(down.apply({ action: "retry", target: { keys: ["1"] } }, ctx(control.db))).rejects.toBeInstanceOf(SourceUnavailableError);
    expect(await control.db.query("select 1 from audit_events where outcome = 'pending'")).toEqual([]);
  });
});
