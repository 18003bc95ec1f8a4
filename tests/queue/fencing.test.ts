// Fencing: the job_attempts row id is the token. An attempt that lost its lease (expired,
// recovered, claimed again by someone else) can no longer complete, fail, heartbeat,
// acknowledge a cancel or release; each late call is rejected and changes nothing.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type AttemptRef,
  type ClaimedJob,
  QueueError,
  acknowledgeCancel,
  cancelJobs,
  claim,
  complete,
  completeMany,
  createCampaign,
  enqueue,
  enqueueChildren,
  fail,
  heartbeat,
  recoverStale,
  release,
  retryJobs,
} from "../../lib/queue";
import { attemptRows, jobRow, sleep } from "../fixtures/queue-helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("queue_fencing");
});
afterAll(async () => t?.drop());

let queueSeq = 0;
const freshQueue = () => `fq${++queueSeq}`;
const ref = (c: ClaimedJob): AttemptRef => ({ jobId: c.id, attemptId: c.attemptId });

async function claimOne(queue: string, workerId: string, leaseSeconds = 60): Promise<ClaimedJob> {
  const got = await claim(t.db, { workerId, queues: [queue], limit: 1, leaseSeconds });
  expect(got).toHaveLength(1);
  return got[0];
}

async function expectLostLease(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueueError);
  expect((err as QueueError).code).toBe("lost_lease");
}

/** Every way a stale attempt could touch the job; each must be refused and change nothing. */
async function expectFullyFenced(stale: AttemptRef) {
  const snapshot = async () => ({ job: await jobRow(t.db, stale.jobId), attempts: await attemptRows(t.db, stale.jobId) });
  const before = await snapshot();

  await expectLostLease(complete(t.db, { ...stale, result: { late: true } }));
  expect(await completeMany(t.db, [{ ...stale, result: { late: true } }])).toEqual([]);
  await expectLostLease(fail(t.db, { ...stale, error: "late failure" }));
  await expectLostLease(fail(t.db, { ...stale, error: "late permanent failure", permanent: true }));
  expect(await heartbeat(t.db, [{ ...stale, progress: { fraction: 0.9, message: "late" } }], 600)).toEqual({
    held: [],
    cancelRequested: [],
    lost: [stale.jobId],
  });
  await expectLostLease(acknowledgeCancel(t.db, stale));
  expect(await release(t.db, [stale])).toEqual([]);

  expect(await snapshot()).toEqual(before);
}

/** Claims with a lease that runs out and recovers it: the first attempt is lost, the job pending. */
async function loseLease(firstWorker = "worker-A") {
  const queue = freshQueue();
  const id = await enqueue(t.db, { kind: "k", queue, maxAttempts: 5 });
  const first = await claimOne(queue, firstWorker, 0.2);
  await sleep(300);
  const rec = await recoverStale(t.db, { ids: [id] });
  expect(rec).toEqual([{ id, state: "pending", lockedBy: firstWorker, leaseExpired: true }]);
  return { id, queue, first };
}

describe("a lost attempt is fenced off", () => {
  test("after recovery and a new claim by another worker, only the new attempt counts", async () => {
    const { id, queue, first } = await loseLease();
    // While the job waits to be claimed again, the old attempt is already fenced.
    await expectFullyFenced(ref(first));
    expect((await jobRow(t.db, id)).state).toBe("pending");

    const second = await claimOne(queue, "worker-B");
    expect(second.attempt).toBe(2);
    expect(second.attemptId).not.toBe(first.attemptId);
    await expectFullyFenced(ref(first));

    // The new attempt can heartbeat and complete.
    expect((await heartbeat(t.db, [ref(second)], 60)).held).toEqual([id]);
    await complete(t.db, { ...ref(second), result: { by: "B" } });
    const row = await jobRow(t.db, id);
    expect(row).toMatchObject({ state: "completed", result: { by: "B" }, attempts: 2, attempt_id: second.attemptId });
    expect((await attemptRows(t.db, id)).map((a) => [a.worker_id, a.outcome])).toEqual([
      ["worker-A", "lost"],
      ["worker-B", "completed"],
    ]);

    // Still fenced after the job finished.
    await expectFullyFenced(ref(first));
  });

  test("the token is the attempt, not the worker: the same worker re-claiming does not revive its old attempt", async () => {
    const { id, queue, first } = await loseLease("worker-A");
    const second = await claimOne(queue, "worker-A");
    await expectFullyFenced(ref(first));
    const failed = await fail(t.db, { ...ref(second), error: "real failure", baseDelaySeconds: 60 });
    expect(failed.state).toBe("failed");
    expect((await jobRow(t.db, id)).last_error).toBe("real failure");
  });

  test("the new attempt can fail, acknowledge a cancel and release; the old one still cannot", async () => {
    for (const ending of ["fail", "acknowledgeCancel", "release"] as const) {
      const { id, queue, first } = await loseLease();
      const second = await claimOne(queue, "worker-B");
      if (ending === "fail") expect((await fail(t.db, { ...ref(second), error: "boom", baseDelaySeconds: 60 })).state).toBe("failed");
      if (ending === "acknowledgeCancel") {
        expect((await cancelJobs(t.db, [id])).cancelRequested).toEqual([id]);
        await acknowledgeCancel(t.db, ref(second));
        expect((await jobRow(t.db, id)).state).toBe("cancelled");
      }
      if (ending === "release") expect(await release(t.db, [ref(second)])).toEqual([id]);
      await expectFullyFenced(ref(first));
    }
  });

  test("completeMany accepts only the attempts that still hold their jobs", async () => {
    const lost = await loseLease();
    const again = await claimOne(lost.queue, "worker-B");
    const okQueue = freshQueue();
    const okId = await enqueue(t.db, { kind: "k", queue: okQueue });
    const ok = await claimOne(okQueue, "worker-A");
    const lostBefore = await jobRow(t.db, lost.id);
    const accepted = await completeMany(t.db, [
      { ...ref(lost.first), result: "stale" },
      { ...ref(ok), result: "fresh" },
    ]);
    expect(accepted).toEqual([okId]);
    expect(await jobRow(t.db, okId)).toMatchObject({ state: "completed", result: "fresh" });
    expect(await jobRow(t.db, lost.id)).toEqual(lostBefore);
    expect((await attemptRows(t.db, lost.id)).map((a) => a.outcome)).toEqual(["lost", null]);
    await complete(t.db, ref(again));
  });

  test("an attempt from before a retry cannot touch the retried job", async () => {
    const queue = freshQueue();
    const id = await enqueue(t.db, { kind: "k", queue, maxAttempts: 1 });
    const first = await claimOne(queue, "worker-A");
    expect((await fail(t.db, { ...ref(first), error: "x" })).state).toBe("dead");
    await expectFullyFenced(ref(first));
    expect((await retryJobs(t.db, [id])).affected).toEqual([id]);
    await expectFullyFenced(ref(first));
    const second = await claimOne(queue, "worker-B");
    await expectFullyFenced(ref(first));
    await complete(t.db, ref(second));
    expect((await jobRow(t.db, id)).state).toBe("completed");
  });

  test("a lost batch attempt cannot enqueue children", async () => {
    const { campaignId, batchJobId } = await createCampaign(t.db, { name: "fenced", kind: "ingest", batchSize: 10, createdBy: "test" });
    const [first] = await claim(t.db, { workerId: "worker-A", limit: 1, leaseSeconds: 0.2, queues: ["default"] });
    expect(first.id).toBe(batchJobId);
    await sleep(300);
    await recoverStale(t.db, { ids: [batchJobId] });
    const [second] = await claim(t.db, { workerId: "worker-B", limit: 1, leaseSeconds: 60, queues: ["default"] });
    expect(second.id).toBe(batchJobId);
    await expectLostLease(t.db.tx((q) => enqueueChildren(q, ref(first), [{ itemKey: "a", position: 0 }])));
    const [{ n }] = await t.db.query<{ n: number }>("select count(*)::int n from jobs where campaign_id = $1 and parent_id is not null", [campaignId]);
    expect(n).toBe(0);
    const ok = await t.db.tx((q) => enqueueChildren(q, ref(second), [{ itemKey: "a", position: 0 }]));
    expect(ok.inserted).toHaveLength(1);
  });
});
