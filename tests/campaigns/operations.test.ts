// Campaign operations on real PostgreSQL: repair gaps (only the missing positions, none after
// they complete), retry failed children (only failed/dead item jobs), resume semantics, cancel,
// the previews' counts, audit rows (ok and refused), and the list query.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Actor } from "../../lib/audit/record";
import { cancelCampaignOp, repairGapsOp, resumeCampaignOp, retryFailedChildrenOp } from "../../lib/operations/campaigns";
import { auditFilterInputFromSearchParams, parseAuditFilter } from "../../lib/filters/audit-filter";
import { listAuditPage, listJobAudit } from "../../lib/queries/audit";
import { getCampaignActionPreview, getCampaignAggregate, listCampaigns, parseCampaignId } from "../../lib/queries/campaigns";
import {
  type ClaimedJob,
  QueueError,
  claim,
  complete,
  completeBatch,
  createCampaign,
  enqueueChildren,
  repairWindows,
} from "../../lib/queue";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("campaign_ops");
});
afterAll(async () => t?.drop());

const actor: Actor = { name: "ops@example.com", roles: ["operator"] };
let seq = 0;

async function newCampaign(opts: { batchSize?: number; total?: number | null; start?: number } = {}) {
  const queue = `camp${++seq}`;
  const kind = `ingest${seq}`;
  const c = await createCampaign(t.db, {
    name: `campaign ${seq}`,
    kind,
    queue,
    params: { source: "s3://catalog" },
    batchSize: opts.batchSize ?? 10,
    totalItems: opts.total === undefined ? 20 : opts.total,
    startPosition: opts.start,
    createdBy: "test",
  });
  return { ...c, queue, kind };
}

async function claimKind(queue: string, kind: string, limit = 100): Promise<ClaimedJob[]> {
  return claim(t.db, { workerId: "w-test", queues: [queue], kinds: [kind], limit, leaseSeconds: 60 });
}

const ref = (j: ClaimedJob) => ({ jobId: j.id, attemptId: j.attemptId });
const key = (p: number) => `item-${p}`;

/** Claims the batch, enqueues children for `positions`, completes it reporting `next`. */
async function runBatch(queue: string, kind: string, positions: number[], next: number, total?: number) {
  const [b] = await claimKind(queue, kind, 1);
  expect(b).toBeDefined();
  const r = await t.db.tx((q) => enqueueChildren(q, ref(b), positions.map((p) => ({ itemKey: key(p), position: p }))));
  await t.db.tx((q) => completeBatch(q, ref(b), { nextStartPosition: next, totalItems: total }));
  return { batch: b, inserted: r.inserted };
}

async function setState(ids: number[], state: string, error?: string) {
  await t.db.query(
    `update jobs set state = $2, last_error = $3, attempts = greatest(attempts, 1),
       finished_at = case when $2 in ('completed', 'dead', 'cancelled') then now() end,
       locked_by = case when $2 = 'running' then 'w-x' end, locked_until = case when $2 = 'running' then now() + interval '1 hour' end
     where id = any($1::bigint[])`,
    [ids, state, error ?? null],
  );
}

async function childrenOf(campaignId: number) {
  return t.db.query<{ id: number; item_key: string; position: number; state: string; parent_id: number }>(
    "select id, item_key, position, state, parent_id from jobs where campaign_id = $1 and parent_id is not null order by position, id",
    [campaignId],
  );
}

async function auditRows(campaignId: number) {
  return t.db.query<{ action: string; outcome: string; affected: number; reason: string | null; actor: string; target_ids: number[] | null; details: Record<string, unknown> }>(
    "select action, outcome, affected, reason, actor, target_ids, details from audit_events where filter->>'campaign_id' = $1 order by id",
    [String(campaignId)],
  );
}

async function expectRefused(p: Promise<unknown>, message: RegExp) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(QueueError);
  expect((err as QueueError).code).toBe("conflict");
  expect((err as Error).message).toMatch(message);
}

test("repairWindows groups missing ranges into windows no wider than a batch", () => {
  expect(repairWindows([{ from: 3, to: 4 }, { from: 7, to: 8 }, { from: 15, to: 15 }], 10)).toEqual([
    [{ from: 3, to: 4 }, { from: 7, to: 8 }],
    [{ from: 15, to: 15 }],
  ]);
  expect(repairWindows([{ from: 0, to: 24 }], 10)).toEqual([[{ from: 0, to: 9 }], [{ from: 10, to: 19 }], [{ from: 20, to: 24 }]]);
  expect(repairWindows([], 10)).toEqual([]);
});

describe("repair gaps", () => {
  test("enqueues exactly the missing positions; once they complete the aggregate has no gaps and no duplicates", async () => {
    const { campaignId, queue, kind } = await newCampaign({ batchSize: 10, total: 20 });
    // Batch 0..9 "lost" 3, 4 and 7; 5 dead-lettered, 6 still pending, 8 only has a cancelled child.
    const b0 = await runBatch(queue, kind, [0, 1, 2, 5, 6, 8, 9], 10);
    // Batch 10..19 lost 15; the campaign reaches its total.
    const b1 = await runBatch(queue, kind, [10, 11, 12, 13, 14, 16, 17, 18, 19], 20);
    const kids = await childrenOf(campaignId);
    const idAt = (p: number) => kids.find((k) => k.position === p)!.id;
    await setState(kids.filter((k) => ![5, 6, 8].includes(k.position)).map((k) => k.id), "completed");
    await setState([idAt(5)], "dead", "E5: malformed row");
    await setState([idAt(8)], "cancelled");
    expect(b0.inserted).toHaveLength(7);
    expect(b1.inserted).toHaveLength(9);

    const before = await getCampaignAggregate(t.db, campaignId);
    expect(before!.campaign.state).toBe("completed");
    expect(before!.gaps.ranges).toEqual([{ from: 3, to: 8 }, { from: 15, to: 15 }]);
    expect(before!.gaps.count).toBe(7);
    expect(before!.missing.count).toBe(4 + 1);
    expect(before!.missing.ranges).toEqual([{ from: 3, to: 4 }, { from: 7, to: 8 }, { from: 15, to: 15 }]);

    const preview = await getCampaignActionPreview(t.db, campaignId);
    expect(preview!.repair).toMatchObject({ gap_positions: 7, missing_positions: 5, in_progress: 1, dead: 1, batches: 2, refused: null });

    const r = await repairGapsOp(t.db, { campaignId, actor, reason: "source blip on 2026-05-14" });
    expect(r.positions).toBe(5);
    expect(r.ranges).toEqual([{ from: 3, to: 4 }, { from: 7, to: 8 }, { from: 15, to: 15 }]);
    expect(r.batch_job_ids).toHaveLength(2);
    const repairBatches = await t.db.query<{ id: number; position: number; payload: { start_position: number; batch_size: number; repair: unknown } }>(
      "select id, position, payload from jobs where id = any($1::bigint[]) order by id",
      [r.batch_job_ids],
    );
    expect(repairBatches.map((b) => b.payload)).toEqual([
      { start_position: 3, batch_size: 6, params: { source: "s3://catalog" }, repair: { ranges: [{ from: 3, to: 4 }, { from: 7, to: 8 }] } },
      { start_position: 15, batch_size: 1, params: { source: "s3://catalog" }, repair: { ranges: [{ from: 15, to: 15 }] } },
    ]);
    // A second repair while these are open is refused (and audited as refused).
    await expectRefused(repairGapsOp(t.db, { campaignId, actor }), /repair batch job \d+ pending/);

    // The batch handler runs as for any batch: it fetches its whole slice and enqueues it. Only
    // missing positions get item jobs; a stray item outside the repair ranges is dropped too.
    const claimed = await claimKind(queue, kind, 10);
    expect(claimed.map((c) => c.id).sort()).toEqual([...r.batch_job_ids].sort());
    const inserted: number[] = [];
    for (const b of claimed) {
      const p = (b.payload as { start_position: number; batch_size: number });
      const slice = Array.from({ length: p.batch_size }, (_, i) => p.start_position + i);
      const res = await t.db.tx((q) => enqueueChildren(q, ref(b), [...slice, 19 + 100].map((pos) => ({ itemKey: key(pos), position: pos }))));
      inserted.push(...res.inserted);
      // Completing a repair batch never moves next_start_position nor chains a batch.
      const done = await t.db.tx((q) => completeBatch(q, ref(b), { nextStartPosition: p.start_position + p.batch_size }));
      expect(done.nextBatchJobId).toBeNull();
    }
    const newKids = await t.db.query<{ position: number }>("select position from jobs where id = any($1::bigint[]) order by position", [inserted]);
    expect(newKids.map((k) => k.position)).toEqual([3, 4, 7, 8, 15]);
    const afterRepair = await getCampaignAggregate(t.db, campaignId);
    expect(afterRepair!.next_start_position).toBe(20);
    expect(afterRepair!.campaign.state).toBe("completed");
    expect(afterRepair!.batches.total).toBe(4);
    expect(afterRepair!.missing.count).toBe(0);
    expect(afterRepair!.duplicates.count).toBe(0);

    // The dead item is for "retry failed children"; then everything completes.
    expect((await retryFailedChildrenOp(t.db, { campaignId, actor })).retried).toBe(1);
    for (const j of await claimKind(queue, `${kind}.item`)) await complete(t.db, ref(j));
    const after = await getCampaignAggregate(t.db, campaignId);
    expect(after!.gaps).toEqual({ count: 0, ranges: [] });
    expect(after!.missing).toEqual({ count: 0, ranges: [] });
    expect(after!.duplicates.count).toBe(0);
    expect(after!.progress).toEqual({ done: 20, total: 20 });
    expect((await getCampaignActionPreview(t.db, campaignId))!.repair.refused).toMatch(/No position is missing/);

    const audit = await auditRows(campaignId);
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([
      ["campaign.repair_gaps", "ok"],
      ["campaign.repair_gaps", "refused"],
      ["campaign.retry_failed", "ok"],
    ]);
    expect(audit[0]).toMatchObject({ affected: 5, reason: "source blip on 2026-05-14", actor: "ops@example.com" });
    expect(audit[0].target_ids!.map(Number).sort()).toEqual([...r.batch_job_ids].sort());
  });

  test("gaps start where the first batch started, and a cancelled campaign is not repaired", async () => {
    const { campaignId, queue, kind } = await newCampaign({ batchSize: 5, total: 20, start: 10 });
    await runBatch(queue, kind, [10, 11, 13, 14], 15);
    const kids = await childrenOf(campaignId);
    await setState(kids.map((k) => k.id), "completed");
    const a = await getCampaignAggregate(t.db, campaignId);
    expect(a!.gaps.ranges).toEqual([{ from: 12, to: 12 }]);
    expect(a!.missing.ranges).toEqual([{ from: 12, to: 12 }]);
    await cancelCampaignOp(t.db, { campaignId, actor });
    await expectRefused(repairGapsOp(t.db, { campaignId, actor }), /cancelled/);
  });
});

describe("retry failed children", () => {
  test("retries only the failed and dead item jobs; batches and other children are untouched", async () => {
    const { campaignId, queue, kind } = await newCampaign({ batchSize: 10, total: 100 });
    await runBatch(queue, kind, [0, 1, 2, 3, 4, 5, 6, 7], 10);
    const kids = await childrenOf(campaignId);
    const ids = kids.map((k) => k.id);
    const states = ["pending", "running", "failed", "completed", "dead", "cancelled", "dead", "completed"];
    for (const [i, s] of states.entries()) await setState([ids[i]], s, s === "dead" || s === "failed" ? `E${i}` : undefined);
    // The chained batch (10..19) dead-letters: a dead batch is not an item and must stay dead.
    const [b1] = await claimKind(queue, kind, 1);
    await setState([b1.id], "dead", "source 503");
    const snapshot = async () => t.db.query<Record<string, unknown>>("select * from jobs where campaign_id = $1 order by id", [campaignId]);
    const before = await snapshot();

    const preview = await getCampaignActionPreview(t.db, campaignId);
    expect(preview!.retry).toEqual({ failed: 1, dead: 2, refused: null });

    const r = await retryFailedChildrenOp(t.db, { campaignId, actor, reason: "catalog API back" });
    expect(r).toEqual({ retried: 3, batches: 1 });
    const after = await snapshot();
    const changed = after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i])).map((row) => Number(row.id));
    expect(changed.sort((a, b) => a - b)).toEqual([ids[2], ids[4], ids[6]].sort((a, b) => a - b));
    for (const row of after.filter((x) => changed.includes(Number(x.id)))) expect(row.state).toBe("pending");
    expect(after.find((x) => Number(x.id) === b1.id)!.state).toBe("dead");

    // Nothing left to retry: refused, audited as refused.
    await expectRefused(retryFailedChildrenOp(t.db, { campaignId, actor }), /no failed or dead item jobs/);
    const audit = await auditRows(campaignId);
    expect(audit.map((a) => [a.action, a.outcome, a.affected])).toEqual([
      ["campaign.retry_failed", "ok", 3],
      ["campaign.retry_failed", "refused", 0],
    ]);
    expect(audit[0].reason).toBe("catalog API back");
    expect(audit[0].target_ids!.map(Number).sort((a, b) => a - b)).toEqual(changed.sort((a, b) => a - b));
  });
});

describe("resume", () => {
  test("refused while a batch is open; after an interrupted batch it continues from next_start_position with the same id and no duplicates", async () => {
    const { campaignId, queue, kind, batchJobId } = await newCampaign({ batchSize: 10, total: 30 });
    // Batch 0 is pending: refused.
    expect((await getCampaignActionPreview(t.db, campaignId))!.resume.refused).toMatch(new RegExp(`Batch job #${batchJobId} is still pending`));
    await expectRefused(resumeCampaignOp(t.db, { campaignId, actor, reason: "too early" }), /still has batch job/);

    await runBatch(queue, kind, Array.from({ length: 10 }, (_, i) => i), 10);
    // Batch 10..19 enqueues half its items, then dies (the worker crashed for good).
    const [b1] = await claimKind(queue, kind, 1);
    await t.db.tx((q) => enqueueChildren(q, ref(b1), [10, 11, 12, 13, 14].map((p) => ({ itemKey: key(p), position: p }))));
    await expectRefused(resumeCampaignOp(t.db, { campaignId, actor }), /running/);
    await setState([b1.id], "dead", "worker killed");
    expect((await getCampaignActionPreview(t.db, campaignId))!.resume).toEqual({ refused: null, start_position: 10 });

    const r = await resumeCampaignOp(t.db, { campaignId, actor, reason: "worker replaced" });
    expect(r.start_position).toBe(10);
    const [nb] = await t.db.query<{ campaign_id: number; position: number; parent_id: number | null }>(
      "select campaign_id, position, parent_id from jobs where id = $1",
      [r.batch_job_id],
    );
    expect(nb).toEqual({ campaign_id: campaignId, position: 10, parent_id: null });
    // A second resume while the new batch is pending is refused.
    await expectRefused(resumeCampaignOp(t.db, { campaignId, actor }), new RegExp(`batch job ${r.batch_job_id} pending`));

    // The resumed batch re-reads 10..19: 10..14 are skipped, so no item is processed twice.
    const resumed = await runBatch(queue, kind, Array.from({ length: 10 }, (_, i) => 10 + i), 20);
    expect(resumed.batch.id).toBe(r.batch_job_id);
    expect(resumed.inserted).toHaveLength(5);
    await runBatch(queue, kind, Array.from({ length: 10 }, (_, i) => 20 + i), 30);
    for (const j of await claimKind(queue, `${kind}.item`)) await complete(t.db, ref(j));

    const a = await getCampaignAggregate(t.db, campaignId);
    expect(a!.campaign.state).toBe("completed");
    expect(a!.next_start_position).toBe(30);
    expect(a!.duplicates.count).toBe(0);
    expect(a!.gaps.count).toBe(0);
    expect((await childrenOf(campaignId)).map((k) => k.position)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // Done: no items left.
    await expectRefused(resumeCampaignOp(t.db, { campaignId, actor }), /no items left/);

    const audit = await auditRows(campaignId);
    expect(audit.map((x) => [x.action, x.outcome])).toEqual([
      ["campaign.resume", "refused"],
      ["campaign.resume", "refused"],
      ["campaign.resume", "ok"],
      ["campaign.resume", "refused"],
      ["campaign.resume", "refused"],
    ]);
    expect(audit[0]).toMatchObject({ reason: "too early", affected: 0 });
    expect(audit[2]).toMatchObject({ reason: "worker replaced", affected: 1, details: { campaign_id: campaignId, start_position: 10, batch_job_id: r.batch_job_id } });
  });
});

describe("cancel", () => {
  test("preview counts what cancel does; cancel stops further batches and is audited", async () => {
    const { campaignId, queue, kind } = await newCampaign({ batchSize: 4, total: 40 });
    await runBatch(queue, kind, [0, 1, 2, 3], 4);
    const kids = await childrenOf(campaignId);
    await setState([kids[0].id], "running");
    await setState([kids[1].id], "completed");
    // pending: kids 2, 3 and the chained batch at 4; running: kid 0.
    const p = await getCampaignActionPreview(t.db, campaignId);
    expect(p!.cancel).toEqual({ will_cancel: 3, will_request_cancel: 1, refused: null });
    const r = await cancelCampaignOp(t.db, { campaignId, actor, reason: "wrong bucket" });
    expect(r).toEqual({ cancelled: 3, cancel_requested: 1 });
    const after = await getCampaignActionPreview(t.db, campaignId);
    expect(after!.state).toBe("cancelled");
    expect(after!.resume.refused).toMatch(/cancelled/);
    await expectRefused(cancelCampaignOp(t.db, { campaignId, actor }), /already cancelled/);
    await expectRefused(retryFailedChildrenOp(t.db, { campaignId, actor }), /cancelled/);
    const audit = await auditRows(campaignId);
    expect(audit.map((x) => [x.action, x.outcome, x.affected])).toEqual([
      ["campaign.cancel", "ok", 4],
      ["campaign.cancel", "refused", 0],
      ["campaign.retry_failed", "refused", 0],
    ]);
  });

  test("the cancel's audit row names the jobs it changed: a child's page and /audit?job=<id> find it", async () => {
    const { campaignId, queue, kind } = await newCampaign({ batchSize: 4, total: 40 });
    await runBatch(queue, kind, [0, 1, 2, 3], 4);
    const kids = await childrenOf(campaignId);
    await setState([kids[0].id], "running");
    await setState([kids[1].id], "completed");
    await cancelCampaignOp(t.db, { campaignId, actor, reason: "wrong bucket" });
    const [row] = (await auditRows(campaignId)).filter((a) => a.action === "campaign.cancel");
    const [nextBatch] = await t.db.query<{ id: number }>("select id from jobs where campaign_id = $1 and parent_id is null and state = 'cancelled'", [campaignId]);
    expect(row.target_ids!.map(Number)).toEqual([kids[0].id, kids[2].id, kids[3].id, nextBatch.id].map(Number).sort((a, b) => a - b));
    expect(row.details).toMatchObject({ campaign_id: campaignId, cancelled: 3, cancel_requested: 1 });
    for (const child of [kids[2], kids[0]]) {
      // What the job's page lists, and what /audit?job=<id> shows.
      const onPage = await listJobAudit(t.db, child.id);
      expect(onPage.events.map((e) => [e.action, e.reason])).toEqual([["campaign.cancel", "wrong bucket"]]);
      const page = await listAuditPage(t.db, parseAuditFilter(auditFilterInputFromSearchParams(new URLSearchParams(`job=${child.id}`))));
      expect(page.events.map((e) => e.action)).toEqual(["campaign.cancel"]);
    }
    // The completed child was not touched and is not named.
    expect((await listJobAudit(t.db, kids[1].id)).events).toEqual([]);
  });

  test("a cancel of more than 1,000 jobs writes one audit row per 1,000, in the same transaction, covering every job once", async () => {
    const { campaignId, queue, kind } = await newCampaign({ batchSize: 2_500, total: 2_500 });
    const [batch] = await claimKind(queue, kind, 1);
    await t.db.tx((q) => enqueueChildren(q, ref(batch), Array.from({ length: 2_500 }, (_, p) => ({ itemKey: key(p), position: p }))));
    const r = await cancelCampaignOp(t.db, { campaignId, actor });
    expect(r).toEqual({ cancelled: 2_500, cancel_requested: 1 });
    const rows = await auditRows(campaignId);
    expect(rows.map((a) => [a.outcome, a.affected, a.target_ids!.length])).toEqual([["ok", 1_000, 1_000], ["ok", 1_000, 1_000], ["ok", 501, 501]]);
    const named = rows.flatMap((a) => a.target_ids!.map(Number));
    const changed = (await t.db.query<{ id: number }>("select id from jobs where campaign_id = $1 order by id", [campaignId])).map((x) => Number(x.id));
    expect(named).toEqual(changed);
    expect(rows.map((a) => a.details)).toEqual([
      { campaign_id: campaignId, cancelled: 999, cancel_requested: 1, batch: 1, batches: 3 },
      { campaign_id: campaignId, cancelled: 1_000, cancel_requested: 0, batch: 2, batches: 3 },
      { campaign_id: campaignId, cancelled: 501, cancel_requested: 0, batch: 3, batches: 3 },
    ]);
  });

  test("unknown campaigns: not_found, audited as refused; invalid ids rejected", async () => {
    const err = await resumeCampaignOp(t.db, { campaignId: 987_654_321, actor }).catch((e: unknown) => e);
    expect((err as QueueError).code).toBe("not_found");
    expect(await getCampaignActionPreview(t.db, 987_654_321)).toBeNull();
    expect(parseCampaignId("12")).toBe(12);
    for (const bad of ["0", "-1", "abc", "1.5", "99999999999999999"]) expect(parseCampaignId(bad)).toBeNull();
  });
});

describe("listCampaigns", () => {
  test("rows carry progress, children by state, started, last activity and next_start_position, newest first", async () => {
    const { campaignId, queue, kind } = await newCampaign({ batchSize: 5, total: 10 });
    await runBatch(queue, kind, [0, 1, 2, 3, 4], 5);
    const kids = await childrenOf(campaignId);
    await setState(kids.slice(0, 3).map((k) => k.id), "completed");
    await setState([kids[3].id], "dead", "x");
    const rows = await listCampaigns(t.db, { limit: 100 });
    expect(rows[0].id).toBeGreaterThan(rows[rows.length - 1].id);
    const row = rows.find((r) => r.id === campaignId)!;
    expect(row).toMatchObject({
      state: "running",
      next_start_position: 5,
      total_items: 10,
      items_done: 3,
      children_by_state: { completed: 3, dead: 1, pending: 1 },
      children_total: 5,
      open_batches: 1,
    });
    expect(row.started_at).toBeInstanceOf(Date);
    expect(row.last_activity_at.getTime()).toBeGreaterThanOrEqual(row.started_at!.getTime());
    const older = await listCampaigns(t.db, { beforeId: campaignId, limit: 100 });
    expect(older.every((r) => r.id < campaignId)).toBe(true);
  });
});
