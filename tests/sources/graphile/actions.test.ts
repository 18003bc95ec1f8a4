// Actions on a graphile-worker source living in the control database, proved by the real
// graphile-worker running (or not running) the jobs afterwards: retry a permanently failed job
// and the worker completes it; cancel a waiting one and it never runs; priority and run-now
// change what the worker picks first. Locked jobs are skipped with the reason, preview says
// exactly what apply does, a filter is walked in audited batches of 500, and a change commits
// with its audit row or not at all.
import type { Runner, WorkerUtils } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueueError } from "../../../lib/queue/state-machine";
import type { Source } from "../../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { ctx, installGraphileWorker, openSource, runOnceWith, sourceConfig, startWorker, viewRow, waitFor } from "./fixture";

let t: TestDatabase;
let utils: WorkerUtils;
let source: Source;

const add = async (task: string, payload: unknown = {}, spec: Parameters<WorkerUtils["addJob"]>[2] = {}) => String((await utils.addJob(task, payload, spec)).id);
const failing = async () => {
  throw new Error("boom: upstream refused");
};

interface AuditRow {
  action: string;
  source: string;
  target_keys: string[];
  affected: number;
  skipped: number;
  outcome: string;
  actor: string;
  reason: string | null;
  filter: Record<string, string> | null;
  details: Record<string, unknown>;
}
const audits = (id: number) => t.db.query<AuditRow>("select * from audit_events where id = $1", [id]).then((r) => r[0]);

beforeAll(async () => {
  t = await createTestDatabase("gw_actions");
  utils = await installGraphileWorker(t.url);
  source = await openSource(sourceConfig(), t.db, t.url);
});

afterAll(async () => {
  await utils?.release();
  await source?.close();
  await t?.drop();
});

describe("graphile-worker source: actions through graphile-worker's functions", () => {
  it("retries a permanently failed job; the real worker then runs it to completion", async () => {
    const key = await add("doomed", { n: 1 }, { maxAttempts: 1 });
    await runOnceWith(t.url, { doomed: failing });
    expect((await source.getJob(key))!.job.state).toBe("dead");

    expect(await source.preview({ action: "retry", target: { keys: [key] } })).toEqual({ matched: 1, matchedCapped: false, willChange: 1, skipped: {} });
    const r = await source.apply({ action: "retry", target: { keys: [key] } }, ctx(t.db, { reason: "fixed the upstream" }));
    expect(r).toMatchObject({ matched: 1, affected: 1, skipped: {}, keys: [key] });
    expect((await source.getJob(key))!.job).toMatchObject({ state: "pending", nativeState: "waiting", attempts: 0 });

    let ran = 0;
    await runOnceWith(t.url, {
      doomed: async () => {
        ran++;
      },
    });
    expect(ran).toBe(1);
    expect(await source.getJob(key)).toBeNull(); // completed: graphile-worker deleted it

    const a = await audits(r.auditIds[0]);
    expect(a).toMatchObject({ action: "jobs.retry", source: "mail", target_keys: [key], affected: 1, outcome: "ok", actor: "ops@example.com", reason: "fixed the upstream" });
    expect(a.details.function).toBe("graphile_worker.reschedule_jobs");
  });

  it("cancels a waiting job: it never runs, and shows as permanently failed with who cancelled it and why", async () => {
    const key = await add("mail", { to: "x@example.com" });
    const r = await source.apply({ action: "cancel", target: { keys: [key] } }, ctx(t.db, { reason: "customer unsubscribed", auditPrefix: "api.jobs" }));
    expect(r.affected).toBe(1);
    let ran = 0;
    await runOnceWith(t.url, {
      mail: async () => {
        ran++;
      },
    });
    expect(ran).toBe(0);
    const d = (await source.getJob(key))!;
    expect(d.job).toMatchObject({ state: "dead", nativeState: "permanently failed" });
    expect(d.job.lastError).toBe("Cancelled in Jobdeck by ops@example.com: customer unsubscribed");
    expect((await audits(r.auditIds[0])).action).toBe("api.jobs.cancel");
  });

  it("priority and run now change what the worker picks first", async () => {
    const a = await add("order", { name: "a" });
    const b = await add("order", { name: "b" });
    const c = await add("order", { name: "c" });
    const d = await add("order", { name: "d" }, { runAt: new Date(Date.now() + 3_600_000) });
    await source.apply({ action: "priority", priority: 10, target: { keys: [c] } }, ctx(t.db));
    await source.apply({ action: "runNow", target: { keys: [d] } }, ctx(t.db));
    const job = (await source.getJob(c))!;
    expect(job.job.priority).toBe(10);
    expect(job.extra.find((e) => e.label === "graphile-worker priority")?.value).toMatch(/^-10 /);
    const order: string[] = [];
    await runOnceWith(t.url, {
      order: async (payload) => {
        order.push((payload as { name: string }).name);
      },
    });
    expect(order).toEqual(["c", "a", "b", "d"]);
    for (const k of [a, b, c, d]) expect(await source.getJob(k)).toBeNull();
  });

  it("skips locked jobs and jobs in the wrong state with the reason; preview says exactly what apply does", async () => {
    const failed = await add("flaky", {}, { maxAttempts: 5 });
    const dead = await add("doomed2", {}, { maxAttempts: 1 });
    await runOnceWith(t.url, { flaky: failing, doomed2: failing });
    const pending = await add("idle", {}, { runAt: new Date(Date.now() + 3_600_000) });
    const locked = await add("sleepy", {});
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const runner: Runner = await startWorker(t.url, { sleepy: () => gate });
    try {
      await waitFor("the sleepy job to be locked", async () => (await source.getJob(locked))?.job.state === "running");
      const keys = [failed, dead, pending, locked, "987654"];
      const preview = await source.preview({ action: "retry", target: { keys } });
      expect(preview).toEqual({
        matched: 4,
        matchedCapped: false,
        willChange: 2,
        skipped: {
          "pending: it has not failed (use run now)": 1,
          "running: graphile-worker's functions leave a job alone while a worker holds its lock": 1,
          "not found: graphile-worker deletes a job once it completes": 1,
        },
      });
      const before = await viewRow(t.url, locked);
      const r = await source.apply({ action: "retry", target: { keys } }, ctx(t.db));
      expect({ matched: r.matched, willChange: r.affected, skipped: r.skipped }).toEqual({ matched: preview.matched, willChange: preview.willChange, skipped: preview.skipped });
      expect(r.keys.sort()).toEqual([failed, dead].sort());
      expect(await viewRow(t.url, locked)).toEqual(before);
      const cancel = await source.preview({ action: "cancel", target: { keys } });
      expect(cancel.willChange).toBe(3); // failed and dead were just retried: now pending, like `pending`
      expect(cancel.skipped["running: graphile-worker's functions leave a job alone while a worker holds its lock"]).toBe(1);
    } finally {
      release();
      await runner.stop();
    }
  });

  it("applies to everything matching a filter in audited batches of 500", async () => {
    await utils.addJobs(Array.from({ length: 1_100 }, (_, i) => ({ identifier: "bulk", payload: { i }, runAt: new Date(Date.now() + 3_600_000) })));
    const preview = await source.preview({ action: "priority", priority: 5, target: { criteria: { states: ["pending"], kind: "bulk" } } });
    expect(preview).toEqual({ matched: 1_100, matchedCapped: false, willChange: 1_100, skipped: {} });
    const r = await source.apply({ action: "priority", priority: 5, target: { criteria: { states: ["pending"], kind: "bulk" } } }, ctx(t.db));
    expect(r.affected).toBe(1_100);
    expect(r.auditIds).toHaveLength(3);
    const rows = await Promise.all(r.auditIds.map(audits));
    expect(rows.map((a) => a.target_keys.length)).toEqual([500, 500, 100]);
    expect(rows.map((a) => a.affected)).toEqual([500, 500, 100]);
    expect(rows[0].filter).toEqual({ state: "pending", kind: "bulk" });
    expect(rows[0].details).toMatchObject({ priority: 5, graphile_priority: -5 });
    expect(new Set(rows.flatMap((a) => a.target_keys)).size).toBe(1_100);
    const { jobs } = await source.listJobs({ criteria: { states: [], kind: "bulk" }, limit: 1_000 });
    expect(new Set(jobs.map((j) => j.priority))).toEqual(new Set([5]));
    // A relative time bound is frozen at the start: every batch sees the same window.
    const now = await source.apply({ action: "runNow", target: { criteria: { states: [], kind: "bulk", createdSince: { ago: 3600 } } } }, ctx(t.db));
    expect(now).toMatchObject({ matched: 1_100, affected: 1_100, skipped: {} });
    expect(now.auditIds).toHaveLength(3);
    expect((await source.listJobs({ criteria: { states: [], kind: "bulk" }, limit: 1_000 })).jobs.every((j) => j.nativeState === "waiting")).toBe(true);
  });

  it("asks the bulk guard first with the exact number that would change; a refusal is audited and changes nothing", async () => {
    let asked: number | null = null;
    const guard = (n: number) => {
      asked = n;
      if (n > 1_000) throw new Error(`changing ${n} jobs needs an admin`);
    };
    const err = await source.apply({ action: "cancel", target: { criteria: { states: ["pending"], kind: "bulk" } } }, ctx(t.db, { guard })).catch((e) => e);
    expect(err.message).toBe("changing 1100 jobs needs an admin");
    expect(asked).toBe(1_100);
    const [row] = await t.db.query<AuditRow>("select * from audit_events where outcome = 'refused' order by id desc limit 1");
    expect(row).toMatchObject({ action: "jobs.cancel", source: "mail", affected: 0, filter: { state: "pending", kind: "bulk" } });
    expect(row.details).toMatchObject({ would_change: 1_100, refused: "changing 1100 jobs needs an admin" });
    expect((await source.countJobs({ states: ["pending"], kind: "bulk" }, 2_000)).value).toBe(1_100);
    // Audit names follow auditActionName: the priority action is recorded as set_priority.
    const [one] = (await source.listJobs({ criteria: { states: [], kind: "bulk" }, limit: 1 })).jobs;
    const r = await source.apply({ action: "priority", priority: 1, target: { keys: [one.key] } }, ctx(t.db, { guard }));
    expect(asked).toBe(1);
    expect((await audits(r.auditIds[0])).action).toBe("jobs.set_priority");
  });

  it("commits the change with its audit row: a failing audit insert leaves the job unchanged", async () => {
    const key = await add("mail", {});
    await t.db.query(`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$`);
    await t.db.query(`create trigger refuse_audit before insert on audit_events for each row when (new.reason = 'refuse') execute function refuse_audit()`);
    try {
      await expect(source.apply({ action: "cancel", target: { keys: [key] } }, ctx(t.db, { reason: "refuse" }))).rejects.toThrow(/audit refused/);
    } finally {
      await t.db.query("drop trigger refuse_audit on audit_events");
    }
    expect(await viewRow(t.url, key)).toMatchObject({ attempts: 0, last_error: null });
    expect((await source.getJob(key))!.job.state).toBe("pending");
  });

  it("refuses malformed input with a clear error before touching anything", async () => {
    const key = await add("mail", {});
    await expect(source.apply({ action: "priority", priority: 1.5, target: { keys: [key] } }, ctx(t.db))).rejects.toThrow(QueueError);
    await expect(source.apply({ action: "priority", priority: 40_000, target: { keys: [key] } }, ctx(t.db))).rejects.toThrow(/priority must be a whole number/);
    await expect(source.apply({ action: "retry", target: { keys: ["abc"] } }, ctx(t.db))).rejects.toThrow(/"abc" is not a job of source "mail"/);
    await expect(source.preview({ action: "retry", target: { criteria: { states: [], campaignId: 3 } } })).rejects.toMatchObject({ capability: "filter:campaignId" });
    await expect(source.apply({ action: "toString" as never, target: { keys: [key] } }, ctx(t.db))).rejects.toThrow(/unknown action "toString"/);
    await expect(source.recoverStale({ target: {} as never }, ctx(t.db))).rejects.toThrow(/give keys, all: true, or the workers/);
    await expect(source.recoverStale({ target: { workers: [""] } }, ctx(t.db))).rejects.toThrow(QueueError);
    expect((await source.getJob(key))!.job).toMatchObject({ state: "pending", priority: 0 });
  });
});
