// `jobdeck campaign create|show|resume|cancel` on a campaign driven through lib/queue: one batch
// processed with a failed item (a gap) and an item processed twice (a duplicate).
import { afterAll, beforeAll, expect, test } from "vitest";
import { claim, complete, completeBatch, enqueueChildren, enqueueMany, fail } from "../../lib/queue";
import { lines, runCli } from "../fixtures/cli-run";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let campaignId: number;
const QUEUE = "catalog";

beforeAll(async () => {
  t = await createTestDatabase("cli_campaign");
});
afterAll(async () => t?.drop());

const jobsOf = (id: number) =>
  t.db.query<{ id: number; state: string; position: number | null; parent_id: number | null; payload: unknown }>(
    "select id, state, position, parent_id, payload from jobs where campaign_id = $1 order by id",
    [id],
  );
const auditOf = (action: string) =>
  t.db.query<Record<string, unknown>>("select * from audit_events where action = $1 order by id", [action]);

test("create: bad usage writes nothing; a good one prints the id, enqueues the first batch and audits", async () => {
  for (const args of [
    ["--name", "x", "--kind", "k"],
    ["--name", "x", "--kind", "k", "--batch-size", "10", "--params", "[1]"],
    ["--name", "", "--kind", "k", "--batch-size", "10"],
  ]) {
    const bad = await runCli(t.url, ["campaign", "create", ...args]);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toHaveLength(1);
  }
  expect(await t.db.query("select id from campaigns")).toHaveLength(0);

  const r = await runCli(t.url, [
    "campaign", "create", "--name", "catalog-2026", "--kind", "ingest", "--queue", QUEUE,
    "--batch-size", "10", "--total", "30", "--params", '{"bucket":"s3://cat"}',
  ]);
  expect(r.code).toBe(0);
  campaignId = Number(r.stdout.trim());
  expect(r.stdout).toBe(`${campaignId}\n`);
  expect(r.stderr).toMatch(new RegExp(`^created campaign ${campaignId} "catalog-2026" \\(batch job \\d+ from position 0\\)\\n$`));
  const [c] = await t.db.query<Record<string, unknown>>("select * from campaigns where id = $1", [campaignId]);
  expect(c).toMatchObject({ name: "catalog-2026", kind: "ingest", queue: QUEUE, batch_size: 10, total_items: 30, state: "running", next_start_position: 0 });
  expect(c.created_by).toMatch(/^cli:/);
  const jobs = await jobsOf(campaignId);
  expect(jobs).toEqual([
    { id: expect.any(Number), state: "pending", position: 0, parent_id: null, payload: { start_position: 0, batch_size: 10, params: { bucket: "s3://cat" } } },
  ]);
  const [audit] = await auditOf("campaign.create");
  expect(audit.actor).toMatch(/^cli:/);
  expect(audit).toMatchObject({ affected: 1, outcome: "ok", filter: { campaign_id: campaignId } });
});

test("resume is refused while the batch is open: exit 1, nothing enqueued, audited as refused", async () => {
  const before = await jobsOf(campaignId);
  const r = await runCli(t.url, ["campaign", "resume", String(campaignId), "--reason", "try"]);
  expect(r.code).toBe(1);
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).toMatch(new RegExp(`campaign ${campaignId} still has batch job ${before[0].id} pending`));
  expect(await jobsOf(campaignId)).toEqual(before);
  const [refused] = await auditOf("campaign.resume");
  expect(refused).toMatchObject({ outcome: "refused", affected: 0, reason: "try" });
});

test("show (json and table): children by state, a duplicate, a gap, failed items, next position", async () => {
  // Process the first batch the way a worker would.
  const [batch] = await claim(t.db, { workerId: "w1", queues: [QUEUE], limit: 1, leaseSeconds: 300 });
  const ref = { jobId: batch.id, attemptId: batch.attemptId };
  await enqueueChildren(t.db, ref, Array.from({ length: 10 }, (_, i) => ({ itemKey: `item-${i}`, position: i })));
  // item-5 gets a second child, as if an interrupted batch had been replayed without the guard
  await enqueueMany(t.db, [{ kind: "ingest.item", queue: QUEUE, campaignId, parentId: batch.id, itemKey: "item-5", position: 5 }]);
  const children = await claim(t.db, { workerId: "w1", queues: [QUEUE], limit: 20, leaseSeconds: 300 });
  expect(children).toHaveLength(11);
  for (const c of children) {
    if (c.itemKey === "item-3") await fail(t.db, { jobId: c.id, attemptId: c.attemptId, error: "404 object not found", permanent: true });
    else await complete(t.db, { jobId: c.id, attemptId: c.attemptId });
  }
  const { nextBatchJobId } = await t.db.tx((q) => completeBatch(q, ref, { nextStartPosition: 10 }));
  expect(nextBatchJobId).not.toBeNull();

  const [json, tableOut] = await Promise.all([
    runCli(t.url, ["campaign", "show", String(campaignId), "--format", "json"]),
    runCli(t.url, ["campaign", "show", String(campaignId)]),
  ]);
  expect(json.code).toBe(0);
  const a = JSON.parse(json.stdout);
  expect(a.campaign).toMatchObject({ id: campaignId, name: "catalog-2026", next_start_position: 10 });
  expect(a.next_start_position).toBe(10);
  expect(a.batches.by_state).toEqual({ completed: 1, pending: 1 });
  expect(a.children).toEqual({ by_state: { completed: 10, dead: 1 }, total: 11 });
  expect(a.duplicates.count).toBe(1);
  expect(a.duplicates.items[0]).toMatchObject({ item_key: "item-5", completed: 2 });
  expect(a.gaps).toEqual({ count: 1, ranges: [{ from: 3, to: 3 }] });
  expect(a.failed_children).toEqual([expect.objectContaining({ item_key: "item-3", position: 3, state: "dead", last_error: "404 object not found" })]);
  expect(a.progress).toEqual({ done: 9, total: 30 });

  expect(tableOut.code).toBe(0);
  const text = tableOut.stdout;
  expect(text).toContain(`campaign ${campaignId} "catalog-2026"  running`);
  expect(text).toMatch(/next position\s+10 of 30 \(33%\)/);
  expect(text).toMatch(/item jobs\s+11 \(completed 10, dead 1\)/);
  expect(text).toMatch(/duplicates\s+1 item processed more than once/);
  expect(text).toMatch(/gaps\s+1 position below 10 without a completed item: 3/);
  expect(text).toMatch(/item-3\s+3\s+dead\s+1\s+404 object not found/);

  const missing = await runCli(t.url, ["campaign", "show", "987654"]);
  expect(missing).toMatchObject({ code: 1, stdout: "" });
  expect(missing.stderr).toBe("jobdeck campaign show: campaign 987654 does not exist\n");
});

test("resume after the open batch died continues from next_start_position; cancel stops it", async () => {
  const open = (await jobsOf(campaignId)).filter((j) => j.parent_id === null && j.state === "pending");
  expect(open).toHaveLength(1);
  const [b] = await claim(t.db, { workerId: "w1", queues: [QUEUE], limit: 1, leaseSeconds: 300 });
  expect(b.id).toBe(open[0].id);
  await fail(t.db, { jobId: b.id, attemptId: b.attemptId, error: "listing API down", permanent: true });

  const r = await runCli(t.url, ["campaign", "resume", String(campaignId)]);
  expect(r.code).toBe(0);
  const m = /^resumed campaign (\d+) from position 10 \(batch job (\d+)\)\n$/.exec(r.stdout);
  expect(m).not.toBeNull();
  const newBatch = Number(m![2]);
  const jobs = await jobsOf(campaignId);
  expect(jobs.find((j) => j.id === newBatch)).toMatchObject({ state: "pending", position: 10, parent_id: null });
  const resumes = await auditOf("campaign.resume");
  expect(resumes.at(-1)).toMatchObject({ outcome: "ok", affected: 1 });
  expect((resumes.at(-1)!.target_ids as number[]).map(Number)).toEqual([newBatch]);

  const cancel = await runCli(t.url, ["campaign", "cancel", String(campaignId), "--reason", "wrong bucket"]);
  expect(cancel.stdout).toBe(`cancelled campaign ${campaignId}: 1 job cancelled; cancel requested for 0 running\n`);
  expect(cancel.code).toBe(0);
  const [c] = await t.db.query<{ state: string }>("select state from campaigns where id = $1", [campaignId]);
  expect(c.state).toBe("cancelled");
  expect((await jobsOf(campaignId)).find((j) => j.id === newBatch)?.state).toBe("cancelled");
  const [audit] = await auditOf("campaign.cancel");
  expect(audit).toMatchObject({ outcome: "ok", affected: 1, reason: "wrong bucket" });
  expect((audit.target_ids as number[]).map(Number)).toEqual([newBatch]);

  const again = await runCli(t.url, ["campaign", "resume", String(campaignId)]);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/is cancelled/);
  const bad = await runCli(t.url, ["campaign", "resume", "seven"]);
  expect(bad.code).toBe(2);
});
