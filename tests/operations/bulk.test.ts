// lib/operations/bulk against a real PostgreSQL: exact previews, filter-wide and by-id actions
// in audited batches of 1,000 (each batch atomic with its audit row), running jobs never
// retried and never touched, and recover-stale by ids, for all, and by an offline worker.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseJobFilter } from "../../lib/filters/job-filter";
import { applyBulk, BulkInterruptedError, type BulkProgress, previewBulk, recoverStaleJobs } from "../../lib/operations/bulk";
import { QueueError } from "../../lib/queue/state-machine";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
const actor = { name: "tester@example.com", roles: ["operator"] };

/** Inserts `n` jobs of one kind in one state straight into the table (fast). Returns ids ascending. */
async function seed(kind: string, state: string, n: number, extra = ""): Promise<number[]> {
  const rows = await t.db.query<{ id: number }>(
    `insert into jobs (kind, queue, state, attempts, started_at, finished_at, last_error, locked_by, locked_until)
     select $1, 'bulk', $2, case when $2 = 'pending' then 0 else 1 end,
       case when $2 = 'pending' then null else now() end,
       case when $2 in ('completed', 'dead', 'cancelled') then now() end,
       case when $2 in ('dead', 'failed') then 'boom' end,
       case when $2 = 'running' then 'w-busy' end,
       case when $2 = 'running' then now() + interval '1 hour' end
     from generate_series(1, $3::int) ${extra} returning id`,
    [kind, state, n],
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

const states = async (ids: number[]) =>
  Object.fromEntries(
    (await t.db.query<{ state: string; n: number }>("select state, count(*)::int as n from jobs where id = any($1::bigint[]) group by state", [ids])).map((r) => [r.state, r.n]),
  );
const audits = (action: string, since: number) =>
  t.db.query<{ id: number; target_ids: number[]; affected: number; skipped: number; reason: string | null; actor: string; outcome: string; details: { batch: number; skipped?: { id: number; state: string }[] }; filter: Record<string, string> | null }>(
    "select * from audit_events where action = $1 and id > $2 order by id",
    [action, since],
  );
const lastAuditId = async () => (await t.db.query<{ id: number }>("select coalesce(max(id), 0)::int as id from audit_events"))[0].id;

beforeAll(async () => {
  t = await createTestDatabase("operations_bulk");
});
afterAll(async () => t?.drop());

describe("retry by filter", () => {
  let dead: number[];
  let running: number[];
  let completed: number[];
  let pending: number[];
  let otherKind: number[];
  beforeAll(async () => {
    dead = await seed("bulk", "dead", 2_500);
    running = await seed("bulk", "running", 3);
    completed = await seed("bulk", "completed", 2);
    pending = await seed("bulk", "pending", 1);
    otherKind = await seed("other", "dead", 5);
  });

  test("preview counts exactly: matched, will change, will skip by state (running never retried)", async () => {
    const filter = parseJobFilter({ kind: "bulk" });
    expect(await previewBulk(t.db, { action: "retry", filter })).toEqual({
      action: "retry",
      matched: 2_506,
      will_change: 2_500,
      will_request_cancel: 0,
      will_skip: 6,
      skipped_running: 3,
      skip_by_state: { running: 3, completed: 2, pending: 1 },
      by_state: { dead: 2_500, running: 3, completed: 2, pending: 1 },
      not_found: 0,
    });
    expect((await previewBulk(t.db, { action: "retry", filter, includeCompleted: true })).will_change).toBe(2_502);
    expect((await previewBulk(t.db, { action: "retry", filter, limit: 100 })).will_change).toBe(100);
    const byIds = await previewBulk(t.db, { action: "cancel", ids: [...running, pending[0], dead[0], 999_999_999] });
    expect(byIds).toMatchObject({ matched: 5, will_change: 1, will_request_cancel: 3, will_skip: 1, skip_by_state: { dead: 1 }, not_found: 1 });
  });

  test("2,500 matching → 3 batches, each with its audit row; only the eligible jobs change", async () => {
    const before = await lastAuditId();
    const progress: BulkProgress[] = [];
    const runningBefore = await t.db.query("select id, state, locked_by, locked_until, attempts from jobs where id = any($1::bigint[]) order by id", [running]);
    const r = await applyBulk(t.db, { action: "retry", filter: parseJobFilter({ kind: "bulk", state: "dead,running,completed" }), reason: "upstream fixed", actor }, (p) => progress.push(p));
    expect(r).toMatchObject({ matched: 2_505, affected: 2_500, cancel_requested: 0, skipped_running: 3, skipped: { running: 3, completed: 2 }, not_found: 0, batches: 3, ids_truncated: false });
    expect([...r.ids].sort((a, b) => a - b)).toEqual(dead);
    // The three running jobs are the newest, so they fill three places of the first batch.
    expect(progress.map((p) => p.done)).toEqual([997, 1_997, 2_500]);
    expect(await states(dead)).toEqual({ pending: 2_500 });
    // running jobs: untouched, lease and all
    expect(await t.db.query("select id, state, locked_by, locked_until, attempts from jobs where id = any($1::bigint[]) order by id", [running])).toEqual(runningBefore);
    expect(await states(completed)).toEqual({ completed: 2 });
    expect(await states(otherKind)).toEqual({ dead: 5 });
    const rows = await audits("jobs.retry", before);
    expect(rows.map((a) => a.details.batch)).toEqual([1, 2, 3]);
    expect(rows.map((a) => a.target_ids.length)).toEqual([1_000, 1_000, 503]);
    expect(rows.map((a) => a.affected)).toEqual([997, 1_000, 503]);
    expect(rows.map((a) => a.skipped)).toEqual([3, 0, 0]);
    expect(rows[0].details.skipped?.map((s) => s.state)).toEqual(["running", "running", "running"]);
    expect(rows[0]).toMatchObject({ actor: "tester@example.com", reason: "upstream fixed", outcome: "partial", filter: { kind: "bulk", state: "dead,running,completed" } });
    expect(rows[1].outcome).toBe("ok");
    // Every id of every batch is one of the filter's jobs, and no job was in two batches.
    const all = rows.flatMap((a) => a.target_ids);
    expect(new Set(all).size).toBe(all.length);
  });

  test("a limit changes at most that many jobs, newest first", async () => {
    const more = await seed("limited", "failed", 1_500);
    const r = await applyBulk(t.db, { action: "retry", filter: parseJobFilter({ kind: "limited" }), limit: 1_200, actor });
    expect(r).toMatchObject({ matched: 1_500, affected: 1_200, batches: 2 });
    expect(await states(more.slice(300))).toEqual({ pending: 1_200 });
    expect(await states(more.slice(0, 300))).toEqual({ failed: 300 });
  });
});

test("each batch is atomic with its audit row: a failing audit insert leaves that batch's jobs unchanged", async () => {
  const dead = await seed("atomic", "dead", 2_500);
  await t.db.query(`create function fail_second_batch() returns trigger language plpgsql as $$
    begin
      if new.reason = 'explode' and (new.details->>'batch')::int = 2 then raise exception 'audit insert failed (test)'; end if;
      return new;
    end $$`);
  await t.db.query("create trigger fail_second_batch before insert on audit_events for each row execute function fail_second_batch()");
  const before = await lastAuditId();
  try {
    const err = await applyBulk(t.db, { action: "retry", filter: parseJobFilter({ kind: "atomic" }), reason: "explode", actor }).catch((e) => e);
    expect(err).toBeInstanceOf(BulkInterruptedError);
    expect((err as BulkInterruptedError).partial).toMatchObject({ affected: 1_000, batches: 1 });
    expect(String((err as BulkInterruptedError).cause)).toMatch(/audit insert failed/);
    // Batch 1 (the newest 1,000) committed with its row; batch 2 rolled back with its failed row; batch 3 never ran.
    expect(await states(dead.slice(1_500))).toEqual({ pending: 1_000 });
    expect(await states(dead.slice(0, 1_500))).toEqual({ dead: 1_500 });
    const rows = await audits("jobs.retry", before);
    expect(rows.map((a) => a.details.batch)).toEqual([1]);
    // By ids, the same: the second batch of ids is untouched.
    const err2 = await applyBulk(t.db, { action: "retry", ids: dead.slice(0, 1_500), reason: "explode", actor }).catch((e) => e);
    expect(err2).toBeInstanceOf(BulkInterruptedError);
    expect((err2 as BulkInterruptedError).partial).toMatchObject({ affected: 1_000, batches: 1 });
    expect(await states(dead.slice(0, 1_500))).toEqual({ pending: 1_000, dead: 500 });
  } finally {
    await t.db.query("drop trigger fail_second_batch on audit_events");
  }
});

test("a job that starts running between preview and apply is skipped, reported and untouched", async () => {
  const ids = await seed("race", "dead", 3);
  const filter = parseJobFilter({ kind: "race" });
  expect((await previewBulk(t.db, { action: "retry", filter })).will_change).toBe(3);
  // A worker picks it up (an operator retried it elsewhere and it was claimed at once).
  await t.db.query("update jobs set state = 'running', locked_by = 'w-race', locked_until = now() + interval '1 minute', attempts = 2 where id = $1", [ids[1]]);
  const r = await applyBulk(t.db, { action: "retry", filter, actor });
  expect(r).toMatchObject({ matched: 3, affected: 2, skipped_running: 1, skipped: { running: 1 } });
  const byIds = await applyBulk(t.db, { action: "retry", ids, actor });
  expect(byIds).toMatchObject({ matched: 3, affected: 0, skipped_running: 1, skipped: { running: 1, pending: 2 } });
  const [job] = await t.db.query<{ state: string; locked_by: string; attempts: number }>("select state, locked_by, attempts from jobs where id = $1", [ids[1]]);
  expect(job).toEqual({ state: "running", locked_by: "w-race", attempts: 2 });
});

test("cancel, set priority and run now by filter and by ids", async () => {
  const pending = await seed("ops", "pending", 4);
  const running = await seed("ops", "running", 1);
  const done = await seed("ops", "completed", 1);
  await t.db.query("update jobs set run_at = now() + interval '1 day' where id = any($1::bigint[])", [pending]);
  const prio = await applyBulk(t.db, { action: "setPriority", priority: 50, filter: parseJobFilter({ kind: "ops" }), actor });
  expect(prio).toMatchObject({ affected: 4, skipped: { running: 1, completed: 1 } });
  expect((await t.db.query<{ n: number }>("select count(*)::int as n from jobs where kind = 'ops' and priority = 50"))[0].n).toBe(4);
  await expect(applyBulk(t.db, { action: "setPriority", priority: 500, filter: parseJobFilter({ kind: "ops" }), actor })).rejects.toThrow(QueueError);
  const now = await applyBulk(t.db, { action: "runNow", ids: pending.slice(0, 2), actor });
  expect(now.affected).toBe(2);
  expect((await t.db.query<{ n: number }>("select count(*)::int as n from jobs where id = any($1::bigint[]) and run_at <= now()", [pending]))[0].n).toBe(2);
  const cancel = await applyBulk(t.db, { action: "cancel", filter: parseJobFilter({ kind: "ops" }), reason: "duplicate import", actor });
  expect(cancel).toMatchObject({ affected: 4, cancel_requested: 1, skipped: { completed: 1 }, skipped_running: 0 });
  expect(await states([...pending, ...running, ...done])).toEqual({ cancelled: 4, running: 1, completed: 1 });
  const [r] = await t.db.query<{ requested: boolean }>("select cancel_requested_at is not null as requested from jobs where id = $1", [running[0]]);
  expect(r.requested).toBe(true);
});

describe("recover stale", () => {
  test("by worker: refuses an online worker (job untouched) and an unknown one; recovers an offline worker's expired leases only", async () => {
    await t.db.query(`insert into workers (id, hostname, pid, queues, concurrency, version, last_heartbeat_at)
      values ('w-online', 'h', 1, '{}', 1, 't', now()), ('w-offline', 'h', 2, '{}', 1, 't', now() - interval '10 minutes')`);
    const onOnline = await seed("stale", "running", 2);
    const onOffline = await seed("stale", "running", 3);
    await t.db.query("update jobs set locked_by = 'w-online' where id = any($1::bigint[])", [onOnline]);
    await t.db.query("update jobs set locked_by = 'w-offline' where id = any($1::bigint[])", [onOffline]);
    // One lease expired; two (1 hour, from seed) still run: the worker may only be paused.
    await t.db.query("update jobs set locked_until = now() - interval '1 minute' where id = $1", [onOffline[0]]);
    const before = await lastAuditId();
    const refused = await recoverStaleJobs(t.db, { target: { workerId: "w-online" }, actor }).catch((e) => e);
    expect(refused).toBeInstanceOf(QueueError);
    expect((refused as QueueError).code).toBe("conflict");
    expect((refused as Error).message).toMatch(/w-online is online/);
    expect(await states(onOnline)).toEqual({ running: 2 });
    await expect(recoverStaleJobs(t.db, { target: { workerId: "w-ghost" }, actor })).rejects.toMatchObject({ code: "not_found" });
    const r = await recoverStaleJobs(t.db, { target: { workerId: "w-offline" }, actor, reason: "host rebooted" });
    expect(r).toMatchObject({ recovered: 1, ids: [onOffline[0]], by_state: { pending: 1, dead: 0, cancelled: 0 }, batches: 1 });
    expect(r.still_leased).toMatchObject({ count: 2 });
    const [lease] = await t.db.query<{ soonest: Date; last: Date }>("select min(locked_until) as soonest, max(locked_until) as last from jobs where id = any($1::bigint[])", [onOffline.slice(1)]);
    expect(r.still_leased).toEqual({ count: 2, soonest_expiry: lease.soonest, last_expiry: lease.last });
    expect(await states(onOffline.slice(1))).toEqual({ running: 2 });
    const rows = await audits("jobs.recover_stale", before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ affected: 1, reason: "host rebooted", filter: { worker: "w-offline" }, target_ids: [onOffline[0]] });
    expect(rows[0].details).not.toHaveProperty("forced");
  });

  test("by worker with force: the live leases are released too, and the audit row says forced", async () => {
    await t.db.query(`insert into workers (id, hostname, pid, queues, concurrency, version, last_heartbeat_at)
      values ('w-gone', 'h', 3, '{}', 1, 't', now() - interval '10 minutes'), ('w-back', 'h', 4, '{}', 1, 't', now())`);
    const held = await seed("stale_force", "running", 3);
    await t.db.query("update jobs set locked_by = 'w-gone' where id = any($1::bigint[])", [held]);
    await t.db.query("update jobs set locked_until = now() - interval '1 minute' where id = $1", [held[0]]);
    // A worker that heartbeats is refused even when forced.
    const back = await seed("stale_force", "running", 1);
    await t.db.query("update jobs set locked_by = 'w-back' where id = any($1::bigint[])", [back]);
    await expect(recoverStaleJobs(t.db, { target: { workerId: "w-back", force: true }, actor })).rejects.toMatchObject({ code: "conflict" });
    expect(await states(back)).toEqual({ running: 1 });
    const before = await lastAuditId();
    const r = await recoverStaleJobs(t.db, { target: { workerId: "w-gone", force: true }, actor, reason: "host powered off" });
    expect(r).toMatchObject({ recovered: 3, by_state: { pending: 3, dead: 0, cancelled: 0 }, still_leased: { count: 0, soonest_expiry: null, last_expiry: null } });
    expect(await states(held)).toEqual({ pending: 3 });
    const [row] = await audits("jobs.recover_stale", before);
    expect(row).toMatchObject({ affected: 3, reason: "host powered off", filter: { worker: "w-gone", force: true }, details: { mode: "worker", forced: true, unexpired_leases_released: 2 } });
    const errors = await t.db.query<{ last_error: string }>("select last_error from jobs where id = any($1::bigint[]) order by id", [held]);
    expect(errors.map((e) => e.last_error)).toEqual([
      "lease expired: worker w-gone stopped heartbeating",
      "lease released by an operator before it expired: worker w-gone was offline",
      "lease released by an operator before it expired: worker w-gone was offline",
    ]);
  });

  test("selected ids recover only expired leases; all stale recovers every expired lease", async () => {
    const live = await seed("stale2", "running", 1);
    const expired = await seed("stale2", "running", 2);
    await t.db.query("update jobs set locked_until = now() - interval '5 minutes' where id = any($1::bigint[])", [expired]);
    const r = await recoverStaleJobs(t.db, { target: { ids: [live[0], expired[0], 999_999_999] }, actor });
    expect(r.recovered).toBe(1);
    expect(r.skipped).toEqual([{ id: live[0], state: "running", reason: expect.stringMatching(/lease has not expired/) }]);
    expect(r.not_found).toEqual([999_999_999]);
    const all = await recoverStaleJobs(t.db, { target: { all: true }, actor });
    expect(all.ids).toEqual([expired[1]]);
    expect(await states([...live, ...expired])).toEqual({ running: 1, pending: 2 });
  });
});
