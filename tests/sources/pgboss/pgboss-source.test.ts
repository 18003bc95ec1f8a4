// The pg-boss source against real pg-boss 10.4.2 and 12.38.0: the library's own producer and
// worker make the jobs (completed, retrying, failed for good, scheduled, stuck past its expiry);
// Jobdeck lists, filters, pages, counts and details them, summarises them, and acts on them
// through pg-boss's functions, after which pg-boss's own worker runs the retried jobs. Audit rows
// land in the control database: with the action when pg-boss lives there, intent then outcome
// when it lives elsewhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgBossSource } from "../../../lib/sources/pgboss";
import { CapabilityError, type Source, type SourceJob } from "../../../lib/sources/types";
import type { SourceConfig } from "../../../lib/sources/config";
import type { JobCriteria } from "../../../lib/filters/job-filter";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { type Boss, failing, makeBoss, type Major, sql, startWorker, until } from "./harness";

const actor = { name: "ops@example.com", roles: ["operator"] };
const all: JobCriteria = { states: [] };

describe.each([10, 12] as Major[])("pg-boss %i source", (major) => {
  const Q = major === 10 ? "mail:send" : "mail.send"; // 10.x allows ':' in queue names: keys read the uuid from the end
  let control: TestDatabase;
  let boss: Boss;
  let source: Source;
  const ids: Record<string, string> = {};
  const key = (label: string) => `${label.startsWith("later") ? "reports" : label.startsWith("stuck") ? "stuck" : Q}:${ids[label]}`;
  const env = () => ({ DATABASE_URL: control.url });
  const config = (over: Partial<SourceConfig> = {}): SourceConfig => ({ name: "billing", kind: "pg-boss", url: control.url, schema: "pgboss", readOnly: false, ...over });
  const ctx = () => ({ control: control.db, actor, reason: "test", auditPrefix: "test" });
  const stateOf = async (label: string) => (await sql<{ state: string }>(control.url, "select state::text from pgboss.job where id = $1", [ids[label]]))[0]?.state;

  beforeAll(async () => {
    control = await createTestDatabase(`pgboss${major}`);
    boss = makeBoss(major, control.url);
    await boss.start();
    await boss.createQueue(Q, { retryLimit: 2 });
    await boss.createQueue("reports");
    await boss.createQueue("stuck");
    const send = async (label: string, queue: string, data: object, o: Record<string, unknown>) => {
      ids[label] = (await boss.send(queue, { label, ...data }, o))!;
    };
    for (const l of ["ok1", "ok2", "ok3"]) await send(l, Q, {}, {});
    await send("dead1", Q, { fail: true, user: 42 }, { retryLimit: 0 });
    await send("dead2", Q, { fail: true, user: 42 }, { retryLimit: 0 });
    await send("retrying", Q, { fail: true }, { retryLimit: 3, retryDelay: 3600 });
    for (const l of ["later1", "later2", "later3", "later4"]) await send(l, "reports", {}, { startAfter: 3600 });
    await send("stuck", "stuck", {}, { retryLimit: 0, expireInSeconds: 1 });
    expect((await boss.fetch("stuck"))?.length).toBe(1); // active; no worker will finish it
    await send("stuck2", "stuck", {}, { retryLimit: 1, expireInSeconds: 3600 });
    expect((await boss.fetch("stuck"))?.length).toBe(1); // active with an hour to run: healthy
    await startWorker(boss, Q);
    await until("the worker to settle every job", async () => {
      const rows = await sql<{ state: string; n: number }>(control.url, "select state::text, count(*)::int as n from pgboss.job where name = $1 group by 1", [Q]);
      const n = Object.fromEntries(rows.map((r) => [r.state, r.n]));
      return n.completed === 3 && n.failed === 2 && n.retry === 1;
    });
    await new Promise((r) => setTimeout(r, 1200)); // the stuck job's 1 s expiry passes
    source = await createPgBossSource(config(), control.db, env());
  });

  afterAll(async () => {
    failing.on = true;
    await boss?.stop({ graceful: false }).catch(() => {});
    await source?.close();
    await control?.drop();
  });

  const byLabel = async (criteria: JobCriteria = all): Promise<Record<string, SourceJob>> => {
    const page = await source.listJobs({ criteria, limit: 100 });
    const out: Record<string, SourceJob> = {};
    for (const j of page.jobs) {
      const label = Object.keys(ids).find((l) => j.key === key(l));
      if (label) out[label] = j;
    }
    return out;
  };

  it("says what it is: library and schema version, location without secrets, capabilities", async () => {
    const info = await source.info();
    expect(info).toMatchObject({ name: "billing", kind: "pg-boss", library: "pg-boss", readOnly: false, readOnlyReason: null });
    expect(info.libraryVersion).toBe(major === 10 ? "10.4.2" : "12.38.0");
    expect(info.schemaVersion).toBe(major === 10 ? "24" : "46");
    expect(info.location).toMatch(/^postgres 127\.0\.0\.1:5432\/jobdeck_test_.* schema=pgboss$/);
    expect(info.stateMap.find((m) => m.native === "failed")?.state).toBe("dead");
    expect(info.capabilities.attempts.supported).toBe(false);
    expect(info.capabilities.retry.supported && info.capabilities.cancel.supported && info.capabilities.recoverStale.supported).toBe(true);
    expect(info.capabilities.priority.supported).toBe(major === 12);
    expect(info.capabilities.runNow.supported).toBe(major === 12);
    expect(info.capabilities.workers.supported).toBe(major === 12);
    expect(info.capabilities.charts.supported).toBe(false);
    expect(Object.keys(info.unsupportedFilters).sort()).toEqual(["campaignId", "id", "worker"]);
  });

  it("lists every job with Jobdeck's state beside pg-boss's, attempts, errors and times", async () => {
    const jobs = await byLabel();
    expect(Object.keys(jobs).sort()).toEqual(Object.keys(ids).sort());
    expect(jobs.ok1).toMatchObject({ state: "completed", nativeState: "completed", attempts: 1, errorLine: null, kind: Q, queue: Q });
    expect(jobs.ok1.finishedAt).not.toBeNull();
    expect(jobs.dead1).toMatchObject({ state: "dead", nativeState: "failed", attempts: 1, maxAttempts: 1, errorLine: "boom: dead1 failed" });
    expect(jobs.retrying).toMatchObject({ state: "failed", nativeState: "retry", attempts: 1, maxAttempts: 4, errorLine: "boom: retrying failed", finishedAt: null });
    expect(new Date(jobs.retrying.runAt!).getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(jobs.later1).toMatchObject({ state: "pending", nativeState: "created", attempts: 0, startedAt: null });
    expect(jobs.stuck).toMatchObject({ state: "running", nativeState: "active", attempts: 1 });
    expect(new Date(jobs.stuck.lockedUntil!).getTime()).toBeLessThan(Date.now());
    expect(source.parseKey(key("dead1"))).toBe(key("dead1"));
  });

  it("filters by state, queue, kind, error, payload and time; refuses filters pg-boss cannot answer", async () => {
    expect(Object.keys(await byLabel({ states: ["dead"] })).sort()).toEqual(["dead1", "dead2"]);
    expect(Object.keys(await byLabel({ states: ["failed", "running"] })).sort()).toEqual(["retrying", "stuck", "stuck2"]);
    expect(Object.keys(await byLabel({ states: [], queue: "reports" })).sort()).toEqual(["later1", "later2", "later3", "later4"]);
    expect(Object.keys(await byLabel({ states: [], kind: "stuck" })).sort()).toEqual(["stuck", "stuck2"]);
    expect(Object.keys(await byLabel({ states: [], queue: "reports", kind: "stuck" }))).toEqual([]);
    expect(Object.keys(await byLabel({ states: [], errorPrefix: "boom: dead" })).sort()).toEqual(["dead1", "dead2"]);
    expect(Object.keys(await byLabel({ states: [], errorContains: "RETRYING FAILED" }))).toEqual(["retrying"]);
    expect(Object.keys(await byLabel({ states: ["dead", "completed"], errorContains: "boom" })).sort()).toEqual(["dead1", "dead2"]);
    expect(Object.keys(await byLabel({ states: [], payloadContains: { user: 42 } })).sort()).toEqual(["dead1", "dead2"]);
    expect(Object.keys(await byLabel({ states: [], createdSince: { ago: 3600 } })).length).toBe(Object.keys(ids).length);
    expect(Object.keys(await byLabel({ states: [], createdUntil: { ago: 3600 } }))).toEqual([]);
    expect(Object.keys(await byLabel({ states: ["completed"], finishedSince: { ago: 3600 } })).sort()).toEqual(["ok1", "ok2", "ok3"]);
    await expect(source.listJobs({ criteria: { states: [], worker: "w1" }, limit: 10 })).rejects.toBeInstanceOf(CapabilityError);
    await expect(source.countJobs({ states: [], campaignId: 1 }, 10)).rejects.toBeInstanceOf(CapabilityError);
  });

  it("pages newest first with opaque cursors, forwards and back, and counts with a cap", async () => {
    const whole = (await source.listJobs({ criteria: all, limit: 100 })).jobs.map((j) => j.key);
    const created = (await source.listJobs({ criteria: all, limit: 100 })).jobs.map((j) => j.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    const pages: string[][] = [];
    let page = await source.listJobs({ criteria: all, limit: 3 });
    expect(page.prev).toBeNull();
    pages.push(page.jobs.map((j) => j.key));
    while (page.next) {
      page = await source.listJobs({ criteria: all, limit: 3, before: page.next });
      pages.push(page.jobs.map((j) => j.key));
    }
    expect(pages.flat()).toEqual(whole);
    for (let i = pages.length - 1; i > 0; i--) {
      expect(page.prev).not.toBeNull();
      page = await source.listJobs({ criteria: all, limit: 3, after: page.prev! });
      expect(page.jobs.map((j) => j.key)).toEqual(pages[i - 1]);
    }
    expect(page.prev).toBeNull(); // back on the first page
    await expect(source.listJobs({ criteria: all, limit: 3, before: "not-a-cursor" })).rejects.toThrow(/before is not a cursor/);
    expect(await source.countJobs(all, 100)).toEqual({ value: whole.length, capped: false });
    expect(await source.countJobs(all, 3)).toEqual({ value: 3, capped: true });
    expect(await source.countJobs({ states: ["dead"] }, 100)).toEqual({ value: 2, capped: false });
  });

  it("details a job: payload, result, last error with its stack, pg-boss's columns, a hint", async () => {
    const dead = (await source.getJob(key("dead1")))!;
    expect(dead.job.payload).toEqual({ label: "dead1", fail: true, user: 42 });
    expect(dead.job.lastError).toContain("boom: dead1 failed");
    expect(dead.job.lastError).toContain("    at "); // the stack
    expect(dead.attempts).toBeNull();
    expect(dead.canRetry).toBe(true);
    expect(dead.recoveryHint).toMatch(/^Failed for good after 1 attempt\. .*then retry/);
    expect(dead.extra.find((e) => e.label === "retry limit")?.value).toBe("0");
    const ok = (await source.getJob(key("ok1")))!;
    expect(ok.job.result).toEqual({ done: "ok1" });
    expect(ok.job.lastError).toBeNull();
    const stuck = (await source.getJob(key("stuck")))!;
    expect(stuck.isStale).toBe(true);
    expect(stuck.recoveryHint).toMatch(/^Stale: its expiry passed/);
    expect(await source.getJob(`${Q}:00000000-0000-4000-8000-000000000000`)).toBeNull();
    expect(await source.getJob("nonsense")).toBeNull();
  });

  it("summarises: counts equal pg-boss's own, stale, per queue, instances; cached for a few seconds", async () => {
    const truth = Object.fromEntries(
      (await sql<{ state: string; n: number }>(control.url, "select state::text, count(*)::int as n from pgboss.job group by 1")).map((r) => [r.state, r.n]),
    );
    const s = await source.summary();
    expect(s.counts.completed).toEqual({ value: truth.completed, capped: false });
    expect(s.counts.dead).toEqual({ value: truth.failed, capped: false });
    expect(s.counts.failed).toEqual({ value: truth.retry, capped: false });
    expect(s.counts.pending).toEqual({ value: truth.created, capped: false });
    expect(s.counts.running).toEqual({ value: truth.active, capped: false });
    expect(s.stale).toBe(1);
    expect(truth.active).toBe(2);
    expect(s.failedLastHour).toBeNull();
    expect(s.completedLastHour).toBe(major === 12 ? 3 : null);
    expect(s.queues.map((q) => q.queue).sort()).toEqual([Q, "reports", "stuck"].sort());
    expect(s.queues.find((q) => q.queue === "reports")).toMatchObject({ pending: 4, running: 0, failed: 0, oldestPendingAgeSeconds: null });
    expect(s.queues.find((q) => q.queue === Q)?.note).toMatch(/^policy standard · retry limit/);
    if (major === 12) expect(s.workers?.online).toBeGreaterThanOrEqual(1);
    else expect(s.workers).toBeNull();
    expect(await source.summary()).toBe(s); // the same read within the cache's lifetime
  });

  it("charts only the sampled depth, and says why", async () => {
    expect(await source.series("24h")).toBeNull();
    const charts = (await source.info()).capabilities.charts;
    expect(charts.supported).toBe(false);
    expect(!charts.supported && charts.reason).toMatch(major === 12 ? /^charting 24 h or 7 days would read every job.*only the queue depth is charted/ : /^pg-boss 10 has no index on completion time/);
  });

  it("lists stale jobs and, on 12.x, pg-boss instances as workers", async () => {
    expect((await source.listStale()).map((j) => j.key)).toEqual([key("stuck")]);
    if (major === 10) expect(await source.listWorkers()).toEqual([]);
    else {
      // pg-boss writes its workers into the instance row on its next heartbeat (1 s here).
      await until("a heartbeat listing the worker", async () => (await source.listWorkers()).some((w) => w.queues.includes(Q)));
      const workers = await source.listWorkers();
      const me = workers.find((w) => w.status === "online" && w.queues.includes(Q));
      expect(me).toMatchObject({ pid: process.pid, version: "pg-boss 12.38.0" });
      expect(me!.concurrency).toBeGreaterThanOrEqual(1);
    }
  });

  it("previews a retry: what would change and what is skipped, and why", async () => {
    const p = await source.preview({ action: "retry", target: { keys: [key("dead1"), key("dead2"), key("ok1"), key("retrying"), key("stuck")] } });
    expect(p.matched).toBe(5);
    expect(p.willChange).toBe(major === 12 ? 3 : 2);
    expect(p.skipped["running jobs are never retried"]).toBe(1);
    expect(p.skipped["completed: pg-boss has no function to run a completed job again"]).toBe(1);
    if (major === 10) expect(p.skipped["a retry is already scheduled (pg-boss 10 has no function to move it forward)"]).toBe(1);
    const byFilter = await source.preview({ action: "retry", target: { criteria: { states: ["dead"] } } });
    expect(byFilter).toMatchObject({ matched: 2, matchedCapped: false, willChange: 2 });
    await expect(source.preview({ action: "retry", target: { keys: ["junk"] } })).rejects.toThrow(/not a pg-boss job key/);
  });

  it("retries failed jobs through pg-boss, audited with the source and keys; pg-boss's worker then completes them", async () => {
    failing.on = false;
    const r = await source.apply({ action: "retry", target: { criteria: { states: ["dead"] } } }, ctx());
    expect(r).toMatchObject({ matched: 2, affected: 2, skipped: {} });
    expect(r.keys.sort()).toEqual([key("dead1"), key("dead2")].sort());
    const [audit] = await control.db.query<{ action: string; source: string; target_keys: string[]; outcome: string; affected: number; filter: unknown }>(
      "select action, source, target_keys, outcome, affected, filter from audit_events where id = $1",
      [r.auditIds[0]],
    );
    expect(audit).toMatchObject({ action: "test.retry", source: "billing", outcome: "ok", affected: 2, filter: { states: ["dead"] } });
    expect(audit.target_keys.sort()).toEqual([key("dead1"), key("dead2")].sort());
    await until("pg-boss's worker to complete the retried jobs", async () => (await stateOf("dead1")) === "completed" && (await stateOf("dead2")) === "completed");
  });

  it("cancels a pending job, and retry brings a cancelled one back (pg-boss resume)", async () => {
    const r = await source.apply({ action: "cancel", target: { keys: [key("later1"), key("stuck")] } }, ctx());
    expect(r).toMatchObject({ matched: 2, affected: 1, keys: [key("later1")] });
    expect(r.skipped).toEqual({ "running: pg-boss cannot stop a running handler (recover it if it is stuck)": 1 });
    expect(await stateOf("later1")).toBe("cancelled");
    expect((await source.getJob(key("later1")))!.job.state).toBe("cancelled");
    const back = await source.apply({ action: "retry", target: { keys: [key("later1")] } }, ctx());
    expect(back.affected).toBe(1);
    expect(await stateOf("later1")).toBe("created");
  });

  it("changes priority and runs a scheduled job now on 12.x; refuses both on 10.x with the reason", async () => {
    if (major === 10) {
      await expect(source.apply({ action: "priority", priority: 5, target: { keys: [key("later2")] } }, ctx())).rejects.toThrow(/pg-boss 10 has no function to change/);
      await expect(source.apply({ action: "runNow", target: { keys: [key("later2")] } }, ctx())).rejects.toBeInstanceOf(CapabilityError);
      return;
    }
    const p = await source.apply({ action: "priority", priority: 7, target: { keys: [key("later2"), key("ok1")] } }, ctx());
    expect(p).toMatchObject({ affected: 1, skipped: { "already finished": 1 } });
    const n = await source.apply({ action: "runNow", target: { keys: [key("later2")] } }, ctx());
    expect(n.affected).toBe(1);
    const [row] = await sql<{ priority: number; due: boolean }>(control.url, "select priority, start_after <= now() as due from pgboss.job where id = $1", [ids.later2]);
    expect(row).toEqual({ priority: 7, due: true });
    const [audit] = await control.db.query<{ action: string; details: { priority?: number } }>("select action, details from audit_events where id = $1", [p.auditIds[0]]);
    expect(audit).toMatchObject({ action: "test.set_priority", details: { priority: 7 } });
  });

  it("recovers a job past its expiry through pg-boss's fail(); a healthy one only with force", async () => {
    const r = await source.recoverStale({ target: { all: true } }, ctx());
    expect(r).toMatchObject({ matched: 1, affected: 1, keys: [key("stuck")] });
    expect(await stateOf("stuck")).toBe("failed"); // retryLimit 0: failed for good, as pg-boss's own expiry does
    expect((await source.getJob(key("stuck")))!.job.lastError).toMatch(/job timed out: recovered from Jobdeck/);
    await expect(source.recoverStale({ target: { workers: ["w1"] } }, ctx())).rejects.toThrow(/does not record which worker/);
    const none = await source.recoverStale({ target: { keys: [key("later3"), key("stuck2")] } }, ctx());
    expect(none).toMatchObject({ affected: 0, skipped: { "not running": 1, "its expiry has not passed (force releases it anyway)": 1 } });
    expect(await stateOf("stuck2")).toBe("active");
    const forced = await source.recoverStale({ target: { keys: [key("stuck2")] }, force: true }, ctx());
    expect(forced).toMatchObject({ affected: 1, keys: [key("stuck2")] });
    expect(await stateOf("stuck2")).toBe("retry"); // one retry left: pg-boss schedules it again
    const [audit] = await control.db.query<{ action: string; details: { force?: boolean } }>("select action, details from audit_events where id = $1", [forced.auditIds[0]]);
    expect(audit).toMatchObject({ action: "test.recover_stale", details: { force: true } });
  });

  it("commits the change and its audit row together when pg-boss lives in the control database", async () => {
    await control.db.query(`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$`);
    await control.db.query(`create trigger refuse_audit before insert on audit_events for each row execute function refuse_audit()`);
    try {
      await expect(source.apply({ action: "cancel", target: { keys: [key("later3")] } }, ctx())).rejects.toThrow(/audit refused/);
      expect(await stateOf("later3")).toBe("created");
    } finally {
      await control.db.query("drop trigger refuse_audit on audit_events");
    }
  });

  it("with pg-boss in another database: writes the intent first and its outcome after; a failed change is recorded as an error", async () => {
    const guest = await createTestDatabase(`pgboss${major}_guest`);
    const other = makeBoss(major, guest.url);
    const elsewhere = await (async () => {
      await other.start();
      await other.createQueue("other");
      ids.g1 = (await other.send("other", { label: "g1" }, { startAfter: 3600 }))!;
      ids.g2 = (await other.send("other", { label: "g2" }, { startAfter: 3600 }))!;
      return createPgBossSource(config({ name: "elsewhere", url: guest.url }), control.db, env());
    })();
    try {
      const r = await elsewhere.apply({ action: "cancel", target: { keys: [`other:${ids.g1}`] } }, ctx());
      expect(r.affected).toBe(1);
      const [ok] = await control.db.query<{ outcome: string; source: string; target_keys: string[]; affected: number; details: { database?: string } }>(
        "select outcome, source, target_keys, affected, details from audit_events where id = $1",
        [r.auditIds[0]],
      );
      expect(ok).toMatchObject({ outcome: "ok", source: "elsewhere", target_keys: [`other:${ids.g1}`], affected: 1 });
      expect(ok.details.database).toMatch(/^postgres 127\.0\.0\.1:5432\/jobdeck_test_pgboss\d+_guest_/);
      await sql(guest.url, `create function refuse_change() returns trigger language plpgsql as $$ begin raise exception 'change refused'; end $$`);
      await sql(guest.url, `create trigger refuse_change before update on pgboss.job for each row execute function refuse_change()`);
      await expect(elsewhere.apply({ action: "cancel", target: { keys: [`other:${ids.g2}`] } }, ctx())).rejects.toThrow(/change refused/);
      const [failed] = await control.db.query<{ outcome: string; target_keys: string[]; details: { error?: string } }>(
        "select outcome, target_keys, details from audit_events where source = 'elsewhere' order by id desc limit 1",
      );
      expect(failed).toMatchObject({ outcome: "error", target_keys: [`other:${ids.g2}`] });
      expect(failed.details.error).toMatch(/change refused/);
      expect((await sql<{ state: string }>(guest.url, "select state::text from pgboss.job where id = $1", [ids.g2]))[0].state).toBe("created");
    } finally {
      await elsewhere.close();
      await other.stop({ graceful: false }).catch(() => {});
      await guest.drop();
    }
  });

  it("asks the caller's guard how many jobs would change first; a refusal is audited as refused and changes nothing", async () => {
    const asked: number[] = [];
    const guard = (n: number) => {
      asked.push(n);
      throw new Error("needs an admin");
    };
    const withGuard = { ...ctx(), guard } as ReturnType<typeof ctx>;
    await expect(source.apply({ action: "cancel", target: { criteria: { states: ["pending"], queue: "reports" } } }, withGuard)).rejects.toThrow("needs an admin");
    await expect(source.apply({ action: "cancel", target: { keys: [key("later3")] } }, withGuard)).rejects.toThrow("needs an admin");
    expect(asked).toEqual([4, 1]); // pending in reports: later1 (cancelled, then resumed) to later4
    expect(await stateOf("later3")).toBe("created");
    const rows = await control.db.query<{ outcome: string; affected: number; action: string; details: { would_change?: number; refused?: string } }>(
      "select outcome, affected, action, details from audit_events where source = 'billing' order by id desc limit 2",
    );
    expect(rows.map((r) => [r.outcome, r.affected, r.action, r.details.would_change, r.details.refused])).toEqual([
      ["refused", 0, "test.cancel", 1, "needs an admin"],
      ["refused", 0, "test.cancel", 4, "needs an admin"],
    ]);
  });

  it("refuses every action when configured read-only", async () => {
    const ro = await createPgBossSource(config({ name: "billing-ro", readOnly: true }), control.db, env());
    try {
      const info = await ro.info();
      expect(info).toMatchObject({ readOnly: true, readOnlyReason: "configured read-only (readOnly: true)" });
      await expect(ro.apply({ action: "cancel", target: { keys: [key("later3")] } }, ctx())).rejects.toBeInstanceOf(CapabilityError);
      await expect(ro.recoverStale({ target: { all: true } }, ctx())).rejects.toBeInstanceOf(CapabilityError);
      expect(await stateOf("later3")).toBe("created");
    } finally {
      await ro.close();
    }
  });

  it("reads pg-boss 10's archive beside its job table (12.x has none); archived jobs are shown, not changed", async () => {
    if (major === 12) {
      expect((await sql<{ t: string | null }>(control.url, "select to_regclass('pgboss.archive')::text as t"))[0].t).toBeNull();
      return;
    }
    await boss.archive!(); // completed jobs older than 1 s (archiveCompletedAfterSeconds) move to pgboss.archive
    const [{ n }] = await sql<{ n: number }>(control.url, "select count(*)::int as n from pgboss.archive where id = any($1::uuid[])", [[ids.ok1, ids.ok2, ids.ok3]]);
    expect(n).toBe(3);
    const jobs = await byLabel({ states: ["completed"] });
    expect(jobs.ok1).toMatchObject({ state: "completed", nativeState: "completed (archived)" });
    const detail = (await source.getJob(key("ok1")))!;
    expect(detail.extra.some((e) => e.label === "archived at")).toBe(true);
    expect(detail.recoveryHint).toMatch(/^Archived by pg-boss/);
    const truth = await sql<{ n: number }>(control.url, "select (select count(*) from pgboss.job where state = 'completed') + (select count(*) from pgboss.archive where state = 'completed') as n");
    expect(await source.countJobs({ states: ["completed"] }, 100)).toEqual({ value: Number(truth[0].n), capped: false });
    const fresh = await createPgBossSource(config({ name: "billing-fresh" }), control.db, env()); // no cached summary
    try {
      expect((await fresh.summary()).counts.completed).toEqual({ value: Number(truth[0].n), capped: false });
    } finally {
      await fresh.close();
    }
    const p = await source.preview({ action: "retry", target: { keys: [key("ok1")] } });
    expect(p.skipped).toEqual({ "archived by pg-boss: its functions change only jobs in its job table": 1 });
  });
});
