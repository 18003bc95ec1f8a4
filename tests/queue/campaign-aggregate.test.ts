// Campaigns: the aggregate read model on constructed data (children by state, duplicates, gaps
// below next_start_position), and the campaign operations that produce such data: enqueueChildren
// skipping present items, completeBatch advancing and chaining, resumeCampaign and cancelCampaign.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sql } from "../../db/client";
import { getCampaignAggregate } from "../../lib/queries/campaigns";
import {
  type AttemptRef,
  type ClaimedJob,
  QueueError,
  cancelCampaign,
  cancelJobs,
  claim,
  complete,
  completeBatch,
  createCampaign,
  enqueue,
  enqueueChildren,
  enqueueMany,
  fail,
  resumeCampaign,
} from "../../lib/queue";
import { jobRow } from "../fixtures/queue-helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("queue_campaigns");
});
afterAll(async () => t?.drop());

let seq = 0;
const ref = (c: ClaimedJob): AttemptRef => ({ jobId: c.id, attemptId: c.attemptId });

async function expectQueueError(p: Promise<unknown>, code: string, message?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueueError);
  expect((err as QueueError).code).toBe(code);
  if (message) expect((err as QueueError).message).toMatch(message);
}

/** A campaign on its own queue, so claims in one test never see another test's jobs. */
async function newCampaign(opts: { batchSize?: number; totalItems?: number | null; startPosition?: number } = {}) {
  const queue = `cq${++seq}`;
  const c = await createCampaign(t.db, {
    name: `campaign ${seq}`,
    kind: "ingest",
    queue,
    params: { bucket: "s3://catalog" },
    batchSize: opts.batchSize ?? 10,
    totalItems: opts.totalItems,
    startPosition: opts.startPosition,
    createdBy: "test@example.com",
  });
  return { ...c, queue };
}

async function claimOne(queue: string, workerId = "w1"): Promise<ClaimedJob> {
  const got = await claim(t.db, { workerId, queues: [queue], limit: 1, leaseSeconds: 60 });
  expect(got).toHaveLength(1);
  return got[0];
}

async function campaignRow(id: number) {
  const [row] = await t.db.query<{ state: string; next_start_position: number; total_items: number | null }>(
    "select state, next_start_position, total_items from campaigns where id = $1",
    [id],
  );
  return row;
}

const batchesOf = (campaignId: number) =>
  t.db.query<{ id: number; state: string; position: number; payload: unknown }>(
    "select id, state, position, payload from jobs where campaign_id = $1 and parent_id is null order by id",
    [campaignId],
  );

describe("getCampaignAggregate on constructed data", () => {
  /** Children of one campaign, put straight into the state the scenario needs. */
  async function addChildren(q: Sql, campaignId: number, parentId: number, specs: { pos: number; key?: string; state: string; attempts?: number; error?: string }[]) {
    const ids = await enqueueMany(
      q,
      specs.map((s) => ({ kind: "ingest.item", queue: "agg", campaignId, parentId, itemKey: s.key ?? `item-${s.pos}`, position: s.pos })),
    );
    for (const [i, s] of specs.entries()) {
      await q.query(
        `update jobs set state = $2, attempts = $3, last_error = $4,
           finished_at = case when $2 in ('completed', 'dead', 'cancelled') then now() end,
           locked_by = case when $2 = 'running' then 'w-agg' end,
           locked_until = case when $2 = 'running' then now() + interval '1 hour' end
         where id = $1`,
        [ids[i], s.state, s.attempts ?? (s.state === "pending" ? 0 : 1), s.error ?? null],
      );
    }
    return ids;
  }

  test("children by state, duplicates, gaps, failed children and next_start_position", async () => {
    const { campaignId, batchJobId, queue } = await newCampaign({ batchSize: 100, totalItems: 200 });
    // Batch 0 ran (positions 0..99) and moved the campaign to 100; batch 1 is running.
    const b0 = await claimOne(queue);
    expect(b0.id).toBe(batchJobId);
    await complete(t.db, ref(b0));
    await t.db.query("update campaigns set next_start_position = 100 where id = $1", [campaignId]);
    const batch1 = await enqueue(t.db, { kind: "ingest", queue, campaignId, position: 100 });
    await claimOne(queue);

    const completedPositions = Array.from({ length: 100 }, (_, p) => p).filter((p) => !(p >= 40 && p <= 44) && p !== 70);
    expect(completedPositions).toHaveLength(94);
    const ids = await t.db.tx(async (q) => {
      const main = await addChildren(q, campaignId, batchJobId, completedPositions.map((pos) => ({ pos, state: "completed" })));
      const [dup10] = await addChildren(q, campaignId, batchJobId, [{ pos: 10, state: "completed" }]); // item-10 processed twice
      const [cancelled50] = await addChildren(q, campaignId, batchJobId, [{ pos: 50, state: "cancelled" }]); // not a duplicate
      const [dead70] = await addChildren(q, campaignId, batchJobId, [{ pos: 70, state: "dead", attempts: 5, error: "E-70: 404 from source" }]);
      const next = await addChildren(q, campaignId, batch1, [
        { pos: 100, state: "pending" },
        { pos: 101, state: "pending" },
        { pos: 102, state: "running" },
        { pos: 103, state: "failed", attempts: 2, error: "E-103: timeout" },
      ]);
      return { main, dup10, cancelled50, dead70, next };
    });
    const first10 = ids.main[completedPositions.indexOf(10)];

    const agg = await getCampaignAggregate(t.db, campaignId);
    expect(agg).not.toBeNull();
    expect(agg!.campaign).toMatchObject({
      id: campaignId,
      name: expect.stringMatching(/^campaign /),
      kind: "ingest",
      queue,
      state: "running",
      batch_size: 100,
      next_start_position: 100,
      total_items: 200,
      created_by: "test@example.com",
      params: { bucket: "s3://catalog" },
    });
    expect(agg!.next_start_position).toBe(100);
    expect(agg!.children).toEqual({
      by_state: { completed: 95, dead: 1, cancelled: 1, pending: 2, running: 1, failed: 1 },
      total: 101,
    });
    expect(agg!.batches.by_state).toEqual({ completed: 1, running: 1 });
    expect(agg!.batches.total).toBe(2);
    expect(agg!.batches.items.map((b) => [b.id, b.state, b.position])).toEqual([
      [batch1, "running", 100],
      [batchJobId, "completed", 0],
    ]);
    expect(agg!.duplicates).toEqual({ count: 1, items: [{ item_key: "item-10", job_ids: [first10, ids.dup10], completed: 2 }] });
    // Positions below next_start_position with no completed child: 40..44 (never enqueued) and
    // 70 (only a dead child). Pending/running/failed children at 100+ are past next_start_position.
    expect(agg!.gaps).toEqual({ count: 6, ranges: [{ from: 40, to: 44 }, { from: 70, to: 70 }] });
    expect(agg!.failed_children).toEqual([
      { id: ids.dead70, item_key: "item-70", position: 70, state: "dead", attempts: 5, last_error: "E-70: 404 from source" },
      { id: ids.next[3], item_key: "item-103", position: 103, state: "failed", attempts: 2, last_error: "E-103: timeout" },
    ]);
    expect(agg!.progress).toEqual({ done: 94, total: 200 });

    // Completing the dead item's retry closes the gap at 70; a second item key at 41 fills 41.
    await t.db.query("update jobs set state = 'completed' where id = $1", [ids.dead70]);
    await t.db.tx((q) => addChildren(q, campaignId, batchJobId, [{ pos: 41, state: "completed" }]));
    const after = await getCampaignAggregate(t.db, campaignId);
    expect(after!.gaps).toEqual({ count: 4, ranges: [{ from: 40, to: 40 }, { from: 42, to: 44 }] });
    expect(after!.progress.done).toBe(96);
  });

  test("gaps at both ends, and campaigns with no children", async () => {
    const a = await newCampaign();
    await t.db.query("update campaigns set next_start_position = 100 where id = $1", [a.campaignId]);
    await t.db.tx((q) =>
      addChildren(q, a.campaignId, a.batchJobId, [
        ...Array.from({ length: 97 }, (_, i) => ({ pos: i + 1, state: "completed" })), // 1..97
        { pos: 150, state: "completed" }, // beyond next_start_position: not a gap filler, not a gap
      ]),
    );
    const agg = await getCampaignAggregate(t.db, a.campaignId);
    expect(agg!.gaps).toEqual({ count: 3, ranges: [{ from: 0, to: 0 }, { from: 98, to: 99 }] });
    expect(agg!.duplicates).toEqual({ count: 0, items: [] });

    const empty = await newCampaign();
    const e = await getCampaignAggregate(t.db, empty.campaignId);
    expect(e!.next_start_position).toBe(0);
    expect(e!.children).toEqual({ by_state: {}, total: 0 });
    expect(e!.batches.by_state).toEqual({ pending: 1 });
    expect(e!.gaps).toEqual({ count: 0, ranges: [] });
    expect(e!.progress).toEqual({ done: 0, total: null });

    await t.db.query("update campaigns set next_start_position = 5 where id = $1", [empty.campaignId]);
    expect((await getCampaignAggregate(t.db, empty.campaignId))!.gaps).toEqual({ count: 5, ranges: [{ from: 0, to: 4 }] });

    expect(await getCampaignAggregate(t.db, 987_654_321)).toBeNull();
  });
});

describe("campaign operations", () => {
  test("createCampaign makes the campaign and its first batch; bad input is refused", async () => {
    const { campaignId, batchJobId } = await newCampaign({ batchSize: 25, startPosition: 50, totalItems: 1000 });
    expect(await campaignRow(campaignId)).toEqual({ state: "running", next_start_position: 50, total_items: 1000 });
    const [b] = await t.db.query("select kind, campaign_id, parent_id, position, payload, state from jobs where id = $1", [batchJobId]);
    expect(b).toEqual({
      kind: "ingest",
      campaign_id: campaignId,
      parent_id: null,
      position: 50,
      payload: { start_position: 50, batch_size: 25, params: { bucket: "s3://catalog" } },
      state: "pending",
    });
    await expectQueueError(createCampaign(t.db, { name: "x", kind: "k", batchSize: 0, createdBy: "t" }), "invalid_input");
    await expectQueueError(createCampaign(t.db, { name: " ", kind: "k", batchSize: 5, createdBy: "t" }), "invalid_input");
    await expectQueueError(createCampaign(t.db, { name: "x", kind: "", batchSize: 5, createdBy: "t" }), "invalid_input");
  });

  test("enqueueChildren skips item keys already present (live or finished), but not cancelled ones", async () => {
    const { campaignId, queue } = await newCampaign();
    const batch = await claimOne(queue);
    const add = (keys: string[]) =>
      t.db.tx((q) => enqueueChildren(q, ref(batch), keys.map((k) => ({ itemKey: k, position: Number(k.slice(1)), payload: { k } }))));

    const first = await add(["k0", "k1", "k2", "k0"]);
    expect(first.inserted).toHaveLength(3);
    expect(first.skippedKeys).toEqual(["k0"]); // the repeat within one call
    const kids = await t.db.query<{ id: number; kind: string; queue: string; parent_id: number; item_key: string; position: number; payload: unknown }>(
      "select id, kind, queue, parent_id, item_key, position, payload from jobs where campaign_id = $1 and parent_id is not null order by id",
      [campaignId],
    );
    expect(kids.map((k) => k.id)).toEqual(first.inserted);
    expect(kids.map((k) => [k.kind, k.queue, k.parent_id, k.item_key, k.position])).toEqual([
      ["ingest.item", queue, batch.id, "k0", 0],
      ["ingest.item", queue, batch.id, "k1", 1],
      ["ingest.item", queue, batch.id, "k2", 2],
    ]);
    expect(kids[0].payload).toEqual({ k: "k0" });

    // k1 completed, k2 dead, k0 cancelled: only k0 may be enqueued again.
    const [k0, k1, k2] = first.inserted;
    await t.db.query("update jobs set state = 'completed' where id = $1", [k1]);
    await t.db.query("update jobs set state = 'dead' where id = $1", [k2]);
    expect((await cancelJobs(t.db, [k0])).affected).toEqual([k0]);
    const second = await add(["k0", "k1", "k2", "k3"]);
    expect(second.skippedKeys.sort()).toEqual(["k1", "k2"]);
    expect(second.inserted).toHaveLength(2);
    const again = await t.db.query<{ item_key: string }>("select item_key from jobs where id = any($1) order by id", [second.inserted]);
    expect(again.map((r) => r.item_key)).toEqual(["k0", "k3"]);

    // Same keys in another campaign are independent.
    const other = await newCampaign();
    const otherBatch = await claimOne(other.queue);
    const o = await t.db.tx((q) => enqueueChildren(q, ref(otherBatch), [{ itemKey: "k1", position: 1 }]));
    expect(o).toEqual({ inserted: [expect.any(Number)], skippedKeys: [] });
  });

  test("completeBatch advances next_start_position, chains the next batch, and stops when the source is done", async () => {
    const { campaignId, queue } = await newCampaign({ batchSize: 4, totalItems: 10 });
    const b0 = await claimOne(queue);
    const r0 = await t.db.tx((q) => completeBatch(q, { ...ref(b0), result: { items: 4 } }, { nextStartPosition: 4 }));
    expect(r0.nextBatchJobId).toEqual(expect.any(Number));
    expect(await campaignRow(campaignId)).toEqual({ state: "running", next_start_position: 4, total_items: 10 });
    expect((await jobRow(t.db, b0.id)).state).toBe("completed");
    const next = await jobRow(t.db, r0.nextBatchJobId!);
    expect(next).toMatchObject({ state: "pending", position: 4, payload: { start_position: 4, batch_size: 4, params: { bucket: "s3://catalog" } } });

    // A stale attempt cannot complete a batch or move the campaign.
    const b1 = await claimOne(queue);
    expect(b1.id).toBe(r0.nextBatchJobId);
    await expectQueueError(
      t.db.tx((q) => completeBatch(q, { jobId: b1.id, attemptId: b0.attemptId }, { nextStartPosition: 8 })),
      "lost_lease",
    );
    expect(await campaignRow(campaignId)).toEqual({ state: "running", next_start_position: 4, total_items: 10 });
    expect(await batchesOf(campaignId)).toHaveLength(2);

    const r1 = await t.db.tx((q) => completeBatch(q, ref(b1), { nextStartPosition: 8 }));
    const b2 = await claimOne(queue);
    expect(b2.id).toBe(r1.nextBatchJobId);
    // The last batch reaches the end of the source: campaign completed, nothing chained.
    const r2 = await t.db.tx((q) => completeBatch(q, ref(b2), { nextStartPosition: 10 }));
    expect(r2.nextBatchJobId).toBeNull();
    expect(await campaignRow(campaignId)).toEqual({ state: "completed", next_start_position: 10, total_items: 10 });
    expect((await batchesOf(campaignId)).map((b) => [b.state, b.position])).toEqual([
      ["completed", 0],
      ["completed", 4],
      ["completed", 8],
    ]);
    // Nothing left to resume.
    await expectQueueError(resumeCampaign(t.db, campaignId), "conflict", /no items left/);
  });

  test("completeBatch with done: true and an unknown total stops the campaign", async () => {
    const { campaignId, queue } = await newCampaign({ batchSize: 5 });
    const b0 = await claimOne(queue);
    const r = await t.db.tx((q) => completeBatch(q, ref(b0), { nextStartPosition: 3, totalItems: 3, done: true }));
    expect(r.nextBatchJobId).toBeNull();
    expect(await campaignRow(campaignId)).toEqual({ state: "completed", next_start_position: 3, total_items: 3 });
  });

  test("resumeCampaign refuses while a batch is open and continues from next_start_position otherwise", async () => {
    const { campaignId, batchJobId, queue } = await newCampaign({ batchSize: 10, totalItems: 100 });
    // pending batch
    await expectQueueError(resumeCampaign(t.db, campaignId), "conflict", new RegExp(`batch job ${batchJobId} pending`));
    // running batch
    const b0 = await claimOne(queue);
    await expectQueueError(resumeCampaign(t.db, campaignId), "conflict", /running/);
    // backing off (failed, retry scheduled) is still open
    expect((await fail(t.db, { ...ref(b0), error: "source unavailable", baseDelaySeconds: 600 })).state).toBe("failed");
    await expectQueueError(resumeCampaign(t.db, campaignId), "conflict", /failed/);
    expect(await batchesOf(campaignId)).toHaveLength(1);

    // The batch gives up (dead) after moving the campaign to 30: resume continues there, same id.
    await t.db.query("update jobs set state = 'dead', finished_at = now() where id = $1", [batchJobId]);
    await t.db.query("update campaigns set next_start_position = 30, state = 'paused' where id = $1", [campaignId]);
    const resumed = await resumeCampaign(t.db, campaignId);
    expect(resumed.startPosition).toBe(30);
    expect(await campaignRow(campaignId)).toMatchObject({ state: "running", next_start_position: 30 });
    const batches = await batchesOf(campaignId);
    expect(batches.map((b) => [b.id, b.state, b.position])).toEqual([
      [batchJobId, "dead", 0],
      [resumed.batchJobId, "pending", 30],
    ]);
    expect(batches[1].payload).toEqual({ start_position: 30, batch_size: 10, params: { bucket: "s3://catalog" } });
    // and now that batch is open again
    await expectQueueError(resumeCampaign(t.db, campaignId), "conflict");
    await expectQueueError(resumeCampaign(t.db, 987_654_321), "not_found");
  });

  test("cancelCampaign cancels pending work, asks running work to stop, and stops further batches", async () => {
    const { campaignId, queue } = await newCampaign({ batchSize: 10, totalItems: 100 });
    const batch = await claimOne(queue);
    const { inserted } = await t.db.tx((q) =>
      enqueueChildren(q, ref(batch), [0, 1, 2, 3].map((p) => ({ itemKey: `i${p}`, position: p }))),
    );
    // i0 completed, i1 running, i2 failed (backing off), i3 pending
    const [c0, c1] = await claim(t.db, { workerId: "w-items", queues: [queue], limit: 2, leaseSeconds: 60 });
    await complete(t.db, ref(c0));
    const c2 = await claimOne(queue, "w-items");
    await fail(t.db, { ...ref(c2), error: "flaky", baseDelaySeconds: 600 });
    expect([c0.id, c1.id, c2.id]).toEqual(inserted.slice(0, 3));

    const r = await t.db.tx((q) => cancelCampaign(q, campaignId));
    // i2, i3 cancelled; the batch and i1 asked to stop
    expect(r).toEqual({ cancelled: 2, cancelRequested: 2, cancelledIds: [inserted[2], inserted[3]], cancelRequestedIds: [batch.id, c1.id] });
    const states = await t.db.query<{ id: number; state: string; cancel_requested: boolean }>(
      "select id, state, cancel_requested_at is not null as cancel_requested from jobs where campaign_id = $1 order by id",
      [campaignId],
    );
    expect(states).toEqual([
      { id: batch.id, state: "running", cancel_requested: true },
      { id: inserted[0], state: "completed", cancel_requested: false },
      { id: inserted[1], state: "running", cancel_requested: true },
      { id: inserted[2], state: "cancelled", cancel_requested: false },
      { id: inserted[3], state: "cancelled", cancel_requested: false },
    ]);
    expect((await campaignRow(campaignId)).state).toBe("cancelled");

    // The running batch still finishing does not chain another batch, and the campaign stays cancelled.
    const done = await t.db.tx((q) => completeBatch(q, ref(batch), { nextStartPosition: 10 }));
    expect(done.nextBatchJobId).toBeNull();
    expect(await campaignRow(campaignId)).toMatchObject({ state: "cancelled", next_start_position: 10 });
    expect(await batchesOf(campaignId)).toHaveLength(1);
    await expectQueueError(resumeCampaign(t.db, campaignId), "conflict", /cancelled/);
    await expectQueueError(t.db.tx((q) => cancelCampaign(q, campaignId)), "conflict", /already cancelled/);
  });
});
