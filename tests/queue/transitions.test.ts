// Every legal and illegal transition of the job state machine, driven through the real queue
// operations against PostgreSQL. A refused operation must leave the whole job row unchanged.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type ClaimedJob,
  JOB_STATES,
  type JobState,
  type Operation,
  QueueError,
  TRANSITIONS,
  acknowledgeCancel,
  canApply,
  cancelJobs,
  claim,
  complete,
  completeMany,
  enqueue,
  expectApplied,
  fail,
  heartbeat,
  recoverStale,
  release,
  retryJobs,
  runNow,
  setPriority,
} from "../../lib/queue";
import type { JobSpec } from "../../lib/queue/job-spec";
import { attemptRows, jobRow, sleep } from "../fixtures/queue-helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("queue_transitions");
});
afterAll(async () => t?.drop());

// Each job gets its own queue, so a claim in one test never picks up another test's job.
let queueSeq = 0;
const freshQueue = () => `tq${++queueSeq}`;

async function newJob(spec: Partial<JobSpec> = {}): Promise<{ id: number; queue: string }> {
  const queue = spec.queue ?? freshQueue();
  const id = await enqueue(t.db, { kind: "k", ...spec, queue });
  return { id, queue };
}

async function claimFrom(queue: string, workerId = "w1", leaseSeconds = 60): Promise<ClaimedJob[]> {
  return claim(t.db, { workerId, queues: [queue], limit: 10, leaseSeconds });
}

async function claimOne(queue: string, workerId = "w1", leaseSeconds = 60): Promise<ClaimedJob> {
  const jobs = await claimFrom(queue, workerId, leaseSeconds);
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

const ref = (c: ClaimedJob) => ({ jobId: c.id, attemptId: c.attemptId });

async function expectQueueError(p: Promise<unknown> | (() => unknown), code: string) {
  let caught: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(QueueError);
  expect((caught as QueueError).code).toBe(code);
  return caught as QueueError;
}

/** Makes a job in the given state through the real operations. */
async function jobIn(state: JobState, spec: Partial<JobSpec> = {}): Promise<{ id: number; queue: string; claimed?: ClaimedJob }> {
  const j = await newJob(spec);
  if (state === "pending") return j;
  if (state === "cancelled") {
    expectApplied("cancel", j.id, await cancelJobs(t.db, [j.id]));
    return j;
  }
  const c = await claimOne(j.queue);
  if (state === "running") return { ...j, claimed: c };
  if (state === "completed") await complete(t.db, { ...ref(c), result: { ok: true } });
  if (state === "failed") expect((await fail(t.db, { ...ref(c), error: "E1", baseDelaySeconds: 300 })).state).toBe("failed");
  if (state === "dead") expect((await fail(t.db, { ...ref(c), error: "E2", permanent: true })).state).toBe("dead");
  expect((await jobRow(t.db, j.id)).state).toBe(state);
  return { ...j, claimed: c };
}

describe("claim: pending → running", () => {
  test("opens an attempt, takes the lease and uses the attempt row id as the fencing token", async () => {
    const { id, queue } = await newJob({ maxAttempts: 3, payload: { a: 1 } });
    const before = await jobRow(t.db, id);
    expect(before).toMatchObject({ state: "pending", attempts: 0, attempt_id: null, locked_by: null });
    const c = await claimOne(queue, "worker-A", 30);
    expect(c).toMatchObject({ id, kind: "k", queue, payload: { a: 1 }, attempt: 1, maxAttempts: 3 });
    const row = await jobRow(t.db, id);
    expect(row).toMatchObject({ state: "running", attempts: 1, attempt_id: c.attemptId, locked_by: "worker-A" });
    expect(row.started_at).not.toBeNull();
    expect(row.finished_at).toBeNull();
    const leaseLeft = row.locked_until!.getTime() - Date.now();
    expect(leaseLeft).toBeGreaterThan(25_000);
    expect(leaseLeft).toBeLessThanOrEqual(31_000);
    const attempts = await attemptRows(t.db, id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ id: c.attemptId, attempt: 1, worker_id: "worker-A", outcome: null, finished_at: null });
    // A running job is not claimed a second time.
    expect(await claimFrom(queue, "worker-B")).toEqual([]);
  });

  test("scheduled jobs wait for run_at; higher priority is claimed first", async () => {
    const queue = freshQueue();
    const later = await enqueue(t.db, { kind: "k", queue, runAt: new Date(Date.now() + 3_600_000) });
    const low = await enqueue(t.db, { kind: "k", queue, priority: -5 });
    const high = await enqueue(t.db, { kind: "k", queue, priority: 50 });
    const mid = await enqueue(t.db, { kind: "k", queue });
    const got = await claim(t.db, { workerId: "w", queues: [queue], limit: 2, leaseSeconds: 60 });
    expect(got.map((g) => g.id).sort()).toEqual([high, mid].sort());
    const rest = await claimFrom(queue);
    expect(rest.map((g) => g.id)).toEqual([low]);
    expect((await jobRow(t.db, later)).state).toBe("pending");
  });
});

describe("running → completed | failed | dead", () => {
  test("complete stores the result, drops the lease and closes the attempt", async () => {
    const { id, claimed } = await jobIn("running");
    await complete(t.db, { ...ref(claimed!), result: { rows: 7 } });
    const row = await jobRow(t.db, id);
    expect(row).toMatchObject({ state: "completed", result: { rows: 7 }, locked_by: null, locked_until: null, attempts: 1, progress: 1 });
    expect(row.finished_at).not.toBeNull();
    const [a] = await attemptRows(t.db, id);
    expect(a.outcome).toBe("completed");
    expect(a.finished_at).not.toBeNull();
  });

  test("fail schedules a retry with exponential backoff, keeps attempts and the error", async () => {
    const { id, queue, claimed } = await jobIn("running", { maxAttempts: 5 });
    const t0 = Date.now();
    const out = await fail(t.db, { ...ref(claimed!), error: "timeout talking to upstream", baseDelaySeconds: 100 });
    expect(out.state).toBe("failed");
    let row = await jobRow(t.db, id);
    expect(row).toMatchObject({ state: "failed", attempts: 1, last_error: "timeout talking to upstream", locked_by: null, finished_at: null });
    // attempt 1: base * 2^0 = 100 s, jittered to 50..100 s
    const delay1 = (row.run_at.getTime() - t0) / 1000;
    expect(delay1).toBeGreaterThanOrEqual(49);
    expect(delay1).toBeLessThanOrEqual(101);
    expect(out.runAt.getTime()).toBe(row.run_at.getTime());
    const [a1] = await attemptRows(t.db, id);
    expect(a1).toMatchObject({ outcome: "failed", error: "timeout talking to upstream" });

    // Backing off: not claimable before run_at.
    expect(await claimFrom(queue)).toEqual([]);
    // failed → running once run_at passes; the attempt counter continues.
    await t.db.query("update jobs set run_at = now() - interval '1 second' where id = $1", [id]);
    const c2 = await claimOne(queue, "w2");
    expect(c2.attempt).toBe(2);
    expect(c2.attemptId).not.toBe(claimed!.attemptId);
    expect((await jobRow(t.db, id)).state).toBe("running");

    // attempt 2: base * 2^1 = 200 s, jittered to 100..200 s
    const t1 = Date.now();
    await fail(t.db, { ...ref(c2), error: "timeout again", baseDelaySeconds: 100 });
    row = await jobRow(t.db, id);
    const delay2 = (row.run_at.getTime() - t1) / 1000;
    expect(delay2).toBeGreaterThanOrEqual(99);
    expect(delay2).toBeLessThanOrEqual(201);
    expect(row).toMatchObject({ state: "failed", attempts: 2, last_error: "timeout again" });

    // the cap applies
    await t.db.query("update jobs set run_at = now() where id = $1", [id]);
    const c3 = await claimOne(queue);
    const t2 = Date.now();
    await fail(t.db, { ...ref(c3), error: "x", baseDelaySeconds: 100, maxDelaySeconds: 10 });
    const delay3 = ((await jobRow(t.db, id)).run_at.getTime() - t2) / 1000;
    expect(delay3).toBeGreaterThanOrEqual(4);
    expect(delay3).toBeLessThanOrEqual(11);
  });

  test("a failed job becomes claimable by itself once its (tiny) backoff passes", async () => {
    const { id, queue, claimed } = await jobIn("running");
    await fail(t.db, { ...ref(claimed!), error: "blip", baseDelaySeconds: 0.05 });
    expect((await jobRow(t.db, id)).state).toBe("failed");
    await sleep(150);
    const again = await claimOne(queue);
    expect(again).toMatchObject({ id, attempt: 2 });
  });

  test("the last allowed attempt failing dead-letters the job", async () => {
    const { id, queue, claimed } = await jobIn("running", { maxAttempts: 2 });
    expect((await fail(t.db, { ...ref(claimed!), error: "first", baseDelaySeconds: 0.01 })).state).toBe("failed");
    await sleep(30);
    const c2 = await claimOne(queue);
    const runAtBefore = (await jobRow(t.db, id)).run_at;
    const out = await fail(t.db, { ...ref(c2), error: "second", baseDelaySeconds: 0.01 });
    expect(out.state).toBe("dead");
    const row = await jobRow(t.db, id);
    expect(row).toMatchObject({ state: "dead", attempts: 2, last_error: "second", locked_by: null });
    expect(row.finished_at).not.toBeNull();
    expect(row.run_at.getTime()).toBe(runAtBefore.getTime());
    expect((await attemptRows(t.db, id)).map((a) => [a.attempt, a.outcome, a.error])).toEqual([
      [1, "failed", "first"],
      [2, "dead", "second"],
    ]);
    // dead is terminal: nothing claims it
    await t.db.query("update jobs set run_at = now() - interval '1 hour' where id = $1", [id]);
    expect(await claimFrom(queue)).toEqual([]);
  });

  test("a permanent error dead-letters at once, whatever attempts remain", async () => {
    const { id, claimed } = await jobIn("running", { maxAttempts: 5 });
    const out = await fail(t.db, { ...ref(claimed!), error: "PermanentError: bad payload", permanent: true });
    expect(out.state).toBe("dead");
    expect(await jobRow(t.db, id)).toMatchObject({ state: "dead", attempts: 1, max_attempts: 5, last_error: "PermanentError: bad payload" });
    expect((await attemptRows(t.db, id)).map((a) => a.outcome)).toEqual(["dead"]);
  });
});

describe("cancel", () => {
  test("pending and failed jobs become cancelled", async () => {
    const p = await jobIn("pending");
    const f = await jobIn("failed");
    const r = await cancelJobs(t.db, [p.id, f.id]);
    expect(r).toEqual({ affected: [p.id, f.id].sort((a, b) => a - b), cancelRequested: [], skipped: [], notFound: [] });
    for (const id of [p.id, f.id]) {
      const row = await jobRow(t.db, id);
      expect(row.state).toBe("cancelled");
      expect(row.finished_at).not.toBeNull();
    }
    // a cancelled job is never claimed
    await t.db.query("update jobs set run_at = now() - interval '1 hour' where id = any($1)", [[p.id, f.id]]);
    expect(await claimFrom(p.queue)).toEqual([]);
    expect(await claimFrom(f.queue)).toEqual([]);
    // the failed job keeps its history and error
    expect((await jobRow(t.db, f.id)).last_error).toBe("E1");
    expect((await attemptRows(t.db, f.id)).map((a) => a.outcome)).toEqual(["failed"]);
  });

  test("a running job gets a cancel request, stays running, and ends cancelled when the worker acknowledges", async () => {
    const { id, claimed } = await jobIn("running");
    const r = await cancelJobs(t.db, [id]);
    expect(r).toEqual({ affected: [], cancelRequested: [id], skipped: [], notFound: [] });
    let row = await jobRow(t.db, id);
    expect(row.state).toBe("running");
    expect(row.cancel_requested_at).not.toBeNull();
    expect(row.locked_by).toBe("w1");
    const requestedAt = row.cancel_requested_at!.getTime();
    // asking again keeps the first request time
    expect((await cancelJobs(t.db, [id])).cancelRequested).toEqual([id]);
    expect((await jobRow(t.db, id)).cancel_requested_at!.getTime()).toBe(requestedAt);
    // the worker learns of it on its heartbeat
    const hb = await heartbeat(t.db, [ref(claimed!)], 60);
    expect(hb).toEqual({ held: [id], cancelRequested: [id], lost: [] });
    await acknowledgeCancel(t.db, ref(claimed!));
    row = await jobRow(t.db, id);
    expect(row).toMatchObject({ state: "cancelled", locked_by: null, locked_until: null });
    expect(row.finished_at).not.toBeNull();
    const [a] = await attemptRows(t.db, id);
    expect(a.outcome).toBe("cancelled");
    expect(a.finished_at).not.toBeNull();
  });

  test("a cancel request wins over a retryable failure: the job ends cancelled, not scheduled again", async () => {
    const { id, queue, claimed } = await jobIn("running", { maxAttempts: 5 });
    await cancelJobs(t.db, [id]);
    // The handler failed on its own before the worker saw the request.
    const out = await fail(t.db, { ...ref(claimed!), error: "socket hang up", baseDelaySeconds: 0.01 });
    expect(out.state).toBe("cancelled");
    const row = await jobRow(t.db, id);
    expect(row.state).toBe("cancelled");
    expect((await attemptRows(t.db, id)).map((a) => [a.outcome, a.error])).toEqual([["cancelled", "socket hang up"]]);
    expect(row.finished_at).not.toBeNull();
    expect(row.last_error).toBe("socket hang up");
    await sleep(30);
    expect(await claimFrom(queue)).toEqual([]);
  });

  test("completed, dead and cancelled jobs are skipped and untouched", async () => {
    const jobs = [await jobIn("completed"), await jobIn("dead"), await jobIn("cancelled")];
    const before = await Promise.all(jobs.map((j) => jobRow(t.db, j.id)));
    const r = await cancelJobs(t.db, [...jobs.map((j) => j.id), 987_654_321]);
    expect(r.affected).toEqual([]);
    expect(r.cancelRequested).toEqual([]);
    expect(r.notFound).toEqual([987_654_321]);
    expect(r.skipped.map((s) => [s.id, s.state])).toEqual(jobs.map((j, i) => [j.id, before[i].state]));
    expect(await Promise.all(jobs.map((j) => jobRow(t.db, j.id)))).toEqual(before);
    await expectQueueError(() => expectApplied("cancel", jobs[0].id, r), "illegal_transition");
    await expectQueueError(() => expectApplied("cancel", 987_654_321, r), "not_found");
  });
});

describe("retry", () => {
  test("failed, dead and cancelled → pending with attempts 0; last_error and history stay", async () => {
    const failed = await jobIn("failed");
    const dead = await jobIn("dead");
    // a cancelled job that had run: cancel requested, then acknowledged
    const cancelled = await jobIn("running");
    await cancelJobs(t.db, [cancelled.id]);
    await acknowledgeCancel(t.db, ref(cancelled.claimed!));
    const ids = [failed.id, dead.id, cancelled.id];
    const historyBefore = await Promise.all(ids.map((id) => attemptRows(t.db, id)));
    const r = await retryJobs(t.db, ids);
    expect(r).toEqual({ affected: [...ids].sort((a, b) => a - b), cancelRequested: [], skipped: [], notFound: [] });
    for (const [i, j] of [failed, dead, cancelled].entries()) {
      const row = await jobRow(t.db, j.id);
      expect(row).toMatchObject({
        state: "pending",
        attempts: 0,
        locked_by: null,
        locked_until: null,
        cancel_requested_at: null,
        finished_at: null,
        started_at: null,
      });
      expect(row.run_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      expect(await attemptRows(t.db, j.id)).toEqual(historyBefore[i]);
      // and it runs again, as attempt 1 of a fresh budget
      const c = await claimOne(j.queue);
      expect(c.attempt).toBe(1);
      expect(await attemptRows(t.db, j.id)).toHaveLength(historyBefore[i].length + 1);
    }
    expect((await jobRow(t.db, failed.id)).last_error).toBe("E1");
    expect((await jobRow(t.db, dead.id)).last_error).toBe("E2");
  });

  test("completed jobs are refused unless includeCompleted", async () => {
    const done = await jobIn("completed");
    const before = await jobRow(t.db, done.id);
    const r = await retryJobs(t.db, [done.id]);
    expect(r.affected).toEqual([]);
    expect(r.skipped).toEqual([{ id: done.id, state: "completed", reason: expect.stringContaining("explicitly") }]);
    expect(await jobRow(t.db, done.id)).toEqual(before);
    await expectQueueError(() => expectApplied("retry", done.id, r), "illegal_transition");

    const r2 = await retryJobs(t.db, [done.id], { includeCompleted: true });
    expect(r2.affected).toEqual([done.id]);
    expect(await jobRow(t.db, done.id)).toMatchObject({ state: "pending", attempts: 0 });
  });

  test("a running job is never retried: typed job_running error, a skip in bulk, and the row is untouched", async () => {
    const running = await jobIn("running");
    const failed = await jobIn("failed");
    await heartbeat(t.db, [{ ...ref(running.claimed!), progress: { fraction: 0.4, message: "busy" } }], 60);
    const before = await jobRow(t.db, running.id);

    const single = await retryJobs(t.db, [running.id]);
    const err = await expectQueueError(() => expectApplied("retry", running.id, single), "job_running");
    expect(err.details).toMatchObject({ jobId: running.id, state: "running" });
    expect(await jobRow(t.db, running.id)).toEqual(before);

    const withCompleted = await retryJobs(t.db, [running.id], { includeCompleted: true });
    await expectQueueError(() => expectApplied("retryCompleted", running.id, withCompleted), "job_running");

    const bulk = await retryJobs(t.db, [running.id, failed.id]);
    expect(bulk.affected).toEqual([failed.id]);
    expect(bulk.skipped).toEqual([{ id: running.id, state: "running", reason: "running jobs are never retried" }]);
    expect(await jobRow(t.db, running.id)).toEqual(before);
    expect((await attemptRows(t.db, running.id)).map((a) => a.outcome)).toEqual([null]);
    // the worker still holds it and can finish it
    await complete(t.db, ref(running.claimed!));
    expect((await jobRow(t.db, running.id)).state).toBe("completed");
  });
});

describe("setPriority and runNow", () => {
  test("setPriority applies to pending and failed jobs only, within -100..100", async () => {
    const jobs = {} as Record<JobState, { id: number }>;
    for (const s of JOB_STATES) jobs[s] = await jobIn(s);
    const before = Object.fromEntries(await Promise.all(JOB_STATES.map(async (s) => [s, await jobRow(t.db, jobs[s].id)] as const)));
    const r = await setPriority(t.db, JOB_STATES.map((s) => jobs[s].id), 100);
    expect(r.affected).toEqual([jobs.pending.id, jobs.failed.id].sort((a, b) => a - b));
    expect(r.skipped.map((s) => s.state).sort()).toEqual(["cancelled", "completed", "dead", "running"]);
    for (const s of JOB_STATES) {
      if (s === "pending" || s === "failed") expect((await jobRow(t.db, jobs[s].id)).priority).toBe(100);
      else {
        expect(await jobRow(t.db, jobs[s].id)).toEqual(before[s]);
        await expectQueueError(() => expectApplied("setPriority", jobs[s].id, r), "illegal_transition");
      }
    }
    expect((await setPriority(t.db, [jobs.pending.id], -100)).affected).toEqual([jobs.pending.id]);
    expect((await jobRow(t.db, jobs.pending.id)).priority).toBe(-100);
    for (const bad of [101, -101, 1.5, Number.NaN]) {
      await expectQueueError(() => setPriority(t.db, [jobs.pending.id], bad), "invalid_input");
    }
    expect((await jobRow(t.db, jobs.pending.id)).priority).toBe(-100);
    // enqueue validates the same range
    await expectQueueError(() => enqueue(t.db, { kind: "k", priority: 101 }), "invalid_input");
  });

  test("runNow makes scheduled and backing-off jobs ready; other states are refused", async () => {
    const scheduled = await newJob({ runAt: new Date(Date.now() + 3_600_000) });
    const failed = await jobIn("failed"); // backing off for ~300 s
    const ready = await newJob({ runAt: new Date(Date.now() - 60_000) });
    const readyRunAt = (await jobRow(t.db, ready.id)).run_at;
    expect(await claimFrom(scheduled.queue)).toEqual([]);
    expect(await claimFrom(failed.queue)).toEqual([]);
    const r = await runNow(t.db, [scheduled.id, failed.id, ready.id]);
    expect(r.affected).toEqual([scheduled.id, failed.id, ready.id].sort((a, b) => a - b));
    // an already-due job keeps its earlier run_at (its place in line)
    expect((await jobRow(t.db, ready.id)).run_at).toEqual(readyRunAt);
    expect((await claimOne(scheduled.queue)).id).toBe(scheduled.id);
    expect((await claimOne(failed.queue)).id).toBe(failed.id);

    for (const s of ["running", "completed", "dead", "cancelled"] as const) {
      const j = await jobIn(s);
      const before = await jobRow(t.db, j.id);
      const rr = await runNow(t.db, [j.id]);
      expect(rr.affected).toEqual([]);
      expect(rr.skipped).toEqual([{ id: j.id, state: s, reason: expect.any(String) }]);
      await expectQueueError(() => expectApplied("runNow", j.id, rr), "illegal_transition");
      expect(await jobRow(t.db, j.id)).toEqual(before);
    }
  });
});

describe("recoverStale and release", () => {
  test("expired leases go back to pending (attempt kept, closed as lost); unexpired leases are untouched", async () => {
    const queue = freshQueue();
    const stale = await enqueue(t.db, { kind: "k", queue, maxAttempts: 3 });
    const c = await claimOne(queue, "dead-worker", 0.2);
    const fresh = await newJob();
    const cf = await claimOne(fresh.queue, "live-worker", 60);
    const freshBefore = await jobRow(t.db, fresh.id);
    await sleep(300);
    const rec = await recoverStale(t.db);
    expect(rec).toEqual([{ id: stale, state: "pending", lockedBy: "dead-worker", leaseExpired: true }]);
    const row = await jobRow(t.db, stale);
    expect(row).toMatchObject({ state: "pending", attempts: 1, locked_by: null, locked_until: null, finished_at: null });
    expect(row.last_error).toContain("dead-worker");
    expect(row.run_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const [a] = await attemptRows(t.db, stale);
    expect(a).toMatchObject({ id: c.attemptId, outcome: "lost" });
    expect(a.finished_at).not.toBeNull();
    expect(await jobRow(t.db, fresh.id)).toEqual(freshBefore);
    expect((await attemptRows(t.db, fresh.id))[0].outcome).toBeNull();
    // nothing more to recover; the recovered job runs again as attempt 2
    expect(await recoverStale(t.db)).toEqual([]);
    expect((await claimOne(queue, "w2")).attempt).toBe(2);
    await complete(t.db, ref(cf));
  });

  test("exhausted attempts → dead; a pending cancel → cancelled", async () => {
    const exhausted = await newJob({ maxAttempts: 1 });
    await claimOne(exhausted.queue, "gone", 0.1);
    const toCancel = await newJob({ maxAttempts: 1 });
    await claimOne(toCancel.queue, "gone", 0.1);
    await cancelJobs(t.db, [toCancel.id]);
    await sleep(200);
    const rec = await recoverStale(t.db, { ids: [exhausted.id, toCancel.id] });
    expect(rec).toEqual(
      [
        { id: exhausted.id, state: "dead", lockedBy: "gone", leaseExpired: true },
        { id: toCancel.id, state: "cancelled", lockedBy: "gone", leaseExpired: true },
      ].sort((a, b) => a.id - b.id),
    );
    for (const [id, state] of [
      [exhausted.id, "dead"],
      [toCancel.id, "cancelled"],
    ] as const) {
      const row = await jobRow(t.db, id);
      expect(row.state).toBe(state);
      expect(row.finished_at).not.toBeNull();
      expect((await attemptRows(t.db, id)).map((a) => a.outcome)).toEqual(["lost"]);
    }
  });

  test("recoverStale by worker takes only that worker's expired leases — its live ones only with force — and no one else's", async () => {
    const mine = await newJob();
    const cm = await claimOne(mine.queue, "crashed-host:1", 60);
    const other = await newJob();
    await claimOne(other.queue, "healthy-host:2", 60);
    const otherBefore = await jobRow(t.db, other.id);
    const mineBefore = await jobRow(t.db, mine.id);
    // The lease runs 60 s more: a paused worker may still be running it.
    expect(await recoverStale(t.db, { lockedBy: "crashed-host:1" })).toEqual([]);
    expect(await jobRow(t.db, mine.id)).toEqual(mineBefore);
    expect(await recoverStale(t.db, { lockedBy: "crashed-host:1", force: true })).toEqual([{ id: mine.id, state: "pending", lockedBy: "crashed-host:1", leaseExpired: false }]);
    expect(await jobRow(t.db, other.id)).toEqual(otherBefore);
    await expectQueueError(complete(t.db, ref(cm)), "lost_lease");
    // Without lockedBy, force changes nothing: only expired leases.
    expect(await recoverStale(t.db, { force: true })).toEqual([]);
    expect(await jobRow(t.db, other.id)).toEqual(otherBefore);
  });

  test("release gives the job back without counting the attempt", async () => {
    const { id, queue, claimed } = await jobIn("running", { maxAttempts: 1 });
    expect(await release(t.db, [ref(claimed!)])).toEqual([id]);
    const row = await jobRow(t.db, id);
    expect(row).toMatchObject({ state: "pending", attempts: 0, locked_by: null, locked_until: null });
    expect((await attemptRows(t.db, id)).map((a) => a.outcome)).toEqual(["released"]);
    // with max_attempts 1 it can still run: the released attempt did not use up the budget
    const c2 = await claimOne(queue);
    expect(c2.attempt).toBe(1);
    // a release of a job whose cancel was requested ends it cancelled
    await cancelJobs(t.db, [id]);
    expect(await release(t.db, [ref(c2)])).toEqual([id]);
    expect((await jobRow(t.db, id)).state).toBe("cancelled");
  });
});

// For every (operation, state) pair: does the SQL do what canApply says? A refused operation
// must leave the whole row as it was.
describe("canApply matches what the SQL does, for every (operation, state) pair", () => {
  type Probe = (j: { id: number; queue: string; attemptId: number }) => Promise<boolean>;
  const lostOrApplied = async (p: Promise<unknown>) => {
    try {
      await p;
      return true;
    } catch (err) {
      if (err instanceof QueueError && err.code === "lost_lease") return false;
      throw err;
    }
  };
  const probes: Record<Operation, Probe> = {
    claim: async (j) => (await claimFrom(j.queue, "probe")).some((c) => c.id === j.id),
    heartbeat: async (j) => (await heartbeat(t.db, [{ jobId: j.id, attemptId: j.attemptId }], 60)).held.includes(j.id),
    complete: async (j) => (await completeMany(t.db, [{ jobId: j.id, attemptId: j.attemptId }])).includes(j.id),
    fail: (j) => lostOrApplied(fail(t.db, { jobId: j.id, attemptId: j.attemptId, error: "probe" })),
    cancel: async (j) => (await cancelJobs(t.db, [j.id])).affected.includes(j.id),
    requestCancel: async (j) => (await cancelJobs(t.db, [j.id])).cancelRequested.includes(j.id),
    retry: async (j) => (await retryJobs(t.db, [j.id])).affected.includes(j.id),
    retryCompleted: async (j) => (await retryJobs(t.db, [j.id], { includeCompleted: true })).affected.includes(j.id),
    recoverStale: async (j) => (await recoverStale(t.db, { ids: [j.id] })).some((r) => r.id === j.id),
    setPriority: async (j) => (await setPriority(t.db, [j.id], 7)).affected.includes(j.id),
    runNow: async (j) => (await runNow(t.db, [j.id])).affected.includes(j.id),
  };
  // Worker-side endings that are not state-machine operations: they apply to running jobs only.
  const extra: Record<string, { allowed: JobState[]; probe: Probe }> = {
    acknowledgeCancel: {
      allowed: ["running"],
      probe: (j) => lostOrApplied(acknowledgeCancel(t.db, { jobId: j.id, attemptId: j.attemptId })),
    },
    release: { allowed: ["running"], probe: async (j) => (await release(t.db, [{ jobId: j.id, attemptId: j.attemptId }])).includes(j.id) },
  };

  const cases = [
    ...(Object.keys(TRANSITIONS) as Operation[]).flatMap((op) =>
      JOB_STATES.map((state) => ({ op, state, expected: canApply(op, state), probe: probes[op] })),
    ),
    ...Object.entries(extra).flatMap(([op, e]) =>
      JOB_STATES.map((state) => ({ op, state, expected: e.allowed.includes(state), probe: e.probe })),
    ),
  ];

  test("the table covers every operation of the state machine", () => {
    expect(Object.keys(probes).sort()).toEqual(Object.keys(TRANSITIONS).sort());
    expect(cases.length).toBe((Object.keys(TRANSITIONS).length + 2) * JOB_STATES.length);
  });

  test.each(cases)("$op from $state → applied: $expected", async ({ op, state, expected, probe }) => {
    const j = await jobIn(state);
    // Make every precondition other than the state true, so only the state decides: due
    // (claim of a failed job), scheduled in the future (runNow) and lease expired (recoverStale).
    await t.db.query(
      `update jobs set run_at = now() + ($2::float8 * interval '1 second'),
         locked_until = case when state = 'running' then now() - interval '1 second' end where id = $1`,
      [j.id, op === "runNow" ? 3600 : -1],
    );
    const before = await jobRow(t.db, j.id);
    // The attempt that last held the job (or a never-issued token for a never-claimed job).
    const attemptId = before.attempt_id ?? 0;
    const applied = await probe({ id: j.id, queue: j.queue, attemptId });
    expect(applied).toBe(expected);
    // cancelJobs carries both halves of cancel: a probe of one half may apply the other.
    const otherHalf = (op === "cancel" && canApply("requestCancel", state)) || (op === "requestCancel" && canApply("cancel", state));
    if (!applied && !otherHalf) expect(await jobRow(t.db, j.id)).toEqual(before);
    if (applied) expect(await jobRow(t.db, j.id)).not.toEqual(before);
  });
});
