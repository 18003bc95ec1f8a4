// Every read that counts jobs by state takes its numbers from the job counters, and they are
// exact where they used to stop at a cap: 12,000 dead jobs (the API's old cap was 10,000) are
// 12,000 in the overview, the API summary, /api/metrics; /api/v1/stats, the bulk preview of a
// states/queue/kind filter, the campaigns list and the campaign aggregate agree with count(*).
import { afterAll, beforeAll, expect, test } from "vitest";
import { getJobsSummary } from "../../lib/api/jobs";
import { previewBulk } from "../../lib/operations/bulk";
import { getCampaignAggregate, listCampaigns } from "../../lib/queries/campaigns";
import { getOverviewSummary } from "../../lib/queries/summary";
import { waitFor } from "../fixtures/queue-helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let campaignId: number;
beforeAll(async () => {
  t = await createTestDatabase("counted_reads");
  process.env.DATABASE_URL = t.url;
  process.env.JOBDECK_METRICS_PUBLIC = "1";
  const { db } = t;
  [{ id: campaignId }] = await db.query<{ id: number }>(
    "insert into campaigns (name, kind, batch_size, created_by) values ('c', 'batch', 10, 'test') returning id",
  );
  await db.query(`insert into jobs (queue, kind, state, finished_at) select 'q' || (i % 2), 'k' || (i % 3), 'dead', now() from generate_series(1, 12000) i`);
  await db.query(`insert into jobs (queue, kind, run_at) select 'q0', 'k0', now() - interval '10 minutes' from generate_series(1, 40)`);
  await db.query(`insert into jobs (queue, kind, run_at) select 'q1', 'k1', now() + interval '1 hour' from generate_series(1, 3)`);
  await db.query(`insert into jobs (queue, kind, state) values ('q1', 'k1', 'failed'), ('q1', 'k2', 'cancelled')`);
  const [{ id: batch }] = await db.query<{ id: number }>("insert into jobs (queue, kind, campaign_id, state) values ('q0', 'batch', $1, 'completed') returning id", [campaignId]);
  await db.query(
    `insert into jobs (queue, kind, campaign_id, parent_id, item_key, position, state)
     select 'q0', 'item', $1, $2, 'i' || i, i, (array['completed', 'dead', 'pending'])[1 + i % 3] from generate_series(0, 29) i`,
    [campaignId, batch],
  );
});
afterAll(async () => {
  await t?.drop();
});

const truth = async (where: string) => (await t.db.query<{ n: number }>(`select count(*)::int as n from jobs where ${where}`))[0].n;

test("overview: exact dead and cancelled, ready vs scheduled, oldest ready, dead by (queue, kind)", async () => {
  const s = await getOverviewSummary({ q: t.db });
  expect(s.counts.dead).toEqual({ value: 12_000 + 10, capped: false });
  expect(s.counts.cancelled).toEqual({ value: 1, capped: false });
  expect(s.counts).toMatchObject({ ready: 40 + 10, scheduled: 3, retrying: 1, running: 0, oldestReadyQueue: "q0" });
  expect(s.counts.oldestReadyAgeSeconds).toBeGreaterThan(9 * 60);
  const dead = await t.db.query<{ queue: string; kind: string; n: number }>("select queue, kind, count(*)::int as n from jobs where state = 'dead' group by 1, 2");
  for (const d of dead) expect(s.kinds.find((k) => k.queue === d.queue && k.kind === d.kind)?.dead).toBe(d.n);
  expect(s.queues.find((q) => q.queue === "q1")).toMatchObject({ ready: 0, scheduled: 3, retrying: 1, oldestReadyAgeSeconds: null });
});

test("API summary: every state exact, nothing capped", async () => {
  const s = await getJobsSummary(t.db);
  expect(s.by_status).toEqual({
    pending: await truth("state = 'pending'"),
    running: 0,
    completed: await truth("state = 'completed'"),
    failed: 1,
    dead: 12_010,
    cancelled: 1,
  });
  expect(Object.values(s.by_status_capped).every((c) => c === false)).toBe(true);
  expect(s.by_kind.k1).toBe(await truth("kind = 'k1' and state in ('pending', 'running', 'failed')"));
  expect(s.oldest_pending_age_minutes).toBeGreaterThanOrEqual(9.9);
});

test("/api/v1/stats and /api/metrics", async () => {
  const { metricsRoute, statsRoute } = await import("../../lib/api/other-handlers");
  const ctx = { params: Promise.resolve({}) };
  const stats = await (await statsRoute(new Request("http://localhost/api/v1/stats"), ctx)).json();
  expect(stats).toMatchObject({ job_queue_pending: await truth("state = 'pending'"), job_queue_running: 0 });
  const metrics = await (await metricsRoute(new Request("http://localhost/api/metrics"), ctx)).text();
  expect(metrics).toContain('jobdeck_jobs{state="pending",queue="q1",kind="k1"} 3\n');
  expect(metrics).toContain('jobdeck_jobs{state="failed",queue="q1",kind="k1"} 1\n');
  expect(metrics).not.toContain('state="dead"');
  expect(metrics).toMatch(/jobdeck_oldest_pending_age_seconds (\d+)/);
  expect(Number(/jobdeck_oldest_pending_age_seconds ([\d.]+)/.exec(metrics)?.[1])).toBeGreaterThan(9 * 60);
});

test("bulk preview: counters for states/queue/kind, a count for any other filter; both exact", async () => {
  const byCounters = await previewBulk(t.db, { action: "retry", filter: { states: ["dead"], queue: "q0" } });
  expect(byCounters).toMatchObject({ matched: await truth("state = 'dead' and queue = 'q0'"), will_change: await truth("state = 'dead' and queue = 'q0'") });
  const all = await previewBulk(t.db, { action: "cancel", filter: { states: [] } });
  expect(all.matched).toBe(await truth("true"));
  expect(all.will_change).toBe(await truth("state in ('pending', 'failed')"));
  const scanned = await previewBulk(t.db, { action: "retry", filter: { states: ["dead"], queue: "q0", campaignId } });
  expect(scanned.matched).toBe(10);
});

test("campaigns: children and batches by state", async () => {
  const agg = await getCampaignAggregate(t.db, campaignId);
  expect(agg?.children).toEqual({ by_state: { completed: 10, dead: 10, pending: 10 }, total: 30 });
  expect(agg?.batches.by_state).toEqual({ completed: 1 });
  const [row] = await listCampaigns(t.db);
  expect(row).toMatchObject({ id: campaignId, children_by_state: { completed: 10, dead: 10, pending: 10 }, children_total: 30, items_done: 10 });
});

test("the app server folds the deltas too (no worker needed)", async () => {
  const deltas = async () => (await t.db.query<{ n: number }>("select count(*)::int as n from job_count_deltas"))[0].n;
  expect(await deltas()).toBeGreaterThan(0);
  const before = await getJobsSummary(t.db);
  process.env.JOBDECK_COUNTER_FOLD_SECONDS = "0.1";
  const { startCounterFolding, stopCounterFolding } = await import("../../lib/server/counter-fold");
  startCounterFolding();
  try {
    await waitFor("the app server to fold every delta", async () => (await deltas()) === 0, 20_000, 50);
  } finally {
    stopCounterFolding();
  }
  expect((await getJobsSummary(t.db)).by_status).toEqual(before.by_status);
});
