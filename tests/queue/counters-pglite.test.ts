// The job counters on the embedded database (PGlite, what `npm run demo` uses): the migration's
// statement-level triggers with transition tables, the fold, the drift check and the reads that
// use them run there too, and stay exact through claim, complete, fail, cancel, delete and a
// rolled-back transaction.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Database, openDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";
import { getCampaignAggregate } from "../../lib/queries/campaigns";
import { getOverviewSummary } from "../../lib/queries/summary";
import { cancelJobs, claim, completeMany, enqueueMany, fail } from "../../lib/queue";
import { checkCountersOnce } from "../../lib/queue/counter-check";
import { foldJobCounts, readJobCounts } from "../../lib/queue/counters";

const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-counters-pglite-"));
let db: Database;
beforeAll(async () => {
  db = await openDatabase({ dataDir: dir, databaseUrl: "" });
  await migrate(db);
}, 120_000);
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function truth() {
  const rows = await db.query<{ queue: string; kind: string; state: string; n: number }>(
    "select queue, kind, state, count(*)::int as n from jobs group by 1, 2, 3",
  );
  return rows.map((r) => `${r.queue}/${r.kind}/${r.state}=${r.n}`).sort();
}
const counted = async () => (await readJobCounts(db)).map((r) => `${r.queue}/${r.kind}/${r.state}=${r.n}`).sort();

test("triggers, fold, drift check and the overview work on PGlite and stay exact", { timeout: 120_000 }, async () => {
  expect(db.kind).toBe("pglite");
  const [{ id: campaignId }] = await db.query<{ id: number }>(
    "insert into campaigns (name, kind, batch_size, created_by) values ('c', 'batch', 10, 'test') returning id",
  );
  const [batch] = await enqueueMany(db, [{ kind: "batch", campaignId }]);
  await enqueueMany(db, [
    ...Array.from({ length: 30 }, (_, i) => ({ kind: i % 3 ? "mail" : "sms", queue: i % 2 ? "a" : "b" })),
    ...Array.from({ length: 10 }, (_, i) => ({ kind: "item", campaignId, parentId: batch, itemKey: `k${i}`, position: i })),
    ...Array.from({ length: 4 }, () => ({ kind: "mail", queue: "a", runAt: new Date(Date.now() + 3_600_000) })),
  ]);
  expect(await counted()).toEqual(await truth());

  const claimed = await db.tx((q) => claim(q, { workerId: "w1", limit: 20, leaseSeconds: 60 }));
  expect(claimed).toHaveLength(20);
  await db.tx((q) => completeMany(q, claimed.slice(0, 12).map((c) => ({ jobId: c.id, attemptId: c.attemptId }))));
  for (const c of claimed.slice(12, 16)) await fail(db, { jobId: c.id, attemptId: c.attemptId, error: "boom", permanent: true });
  await db.query("update jobs set heartbeat_at = now() where state = 'running'");
  expect(await counted()).toEqual(await truth());

  await expect(
    db.tx(async (q) => {
      await q.query("delete from jobs where state = 'completed' and campaign_id is null");
      throw new Error("rolled back");
    }),
  ).rejects.toThrow("rolled back");
  expect(await counted()).toEqual(await truth());

  const pending = await db.query<{ id: number }>("select id from jobs where state = 'pending' and queue = 'b' limit 3");
  await cancelJobs(db, pending.map((r) => r.id));
  await db.query("delete from jobs where state = 'completed' and campaign_id is null");
  expect(await counted()).toEqual(await truth());

  expect(await foldJobCounts(db)).toBeGreaterThan(0);
  expect(await counted()).toEqual(await truth());

  // The overview reads them: exact dead and cancelled, ready vs scheduled from the index.
  const s = await getOverviewSummary({ q: db });
  const [t] = await db.query<{ dead: number; cancelled: number; ready: number; scheduled: number; running: number }>(
    `select count(*) filter (where state = 'dead')::int as dead, count(*) filter (where state = 'cancelled')::int as cancelled,
       count(*) filter (where state = 'pending' and run_at <= now())::int as ready,
       count(*) filter (where state = 'pending' and run_at > now())::int as scheduled,
       count(*) filter (where state = 'running')::int as running from jobs`,
  );
  expect(s.counts).toMatchObject({ dead: { value: t.dead, capped: false }, cancelled: { value: t.cancelled, capped: false }, ready: t.ready, scheduled: 4, running: t.running });
  expect(t.scheduled).toBe(4);

  const agg = await getCampaignAggregate(db, campaignId);
  const [{ items }] = await db.query<{ items: number }>("select count(*)::int as items from jobs where campaign_id = $1 and parent_id is not null", [campaignId]);
  expect(agg?.children.total).toBe(items);
  expect(agg?.batches.total).toBe(1);

  await db.query(
    "insert into job_counts (queue, kind, state, n) values ('b', 'sms', 'dead', 2) on conflict (queue, kind, state) do update set n = job_counts.n + 2",
  );
  expect(await checkCountersOnce(db, 0)).toEqual([expect.objectContaining({ what: "b/sms/dead" })]);
  // Not due again within the interval.
  expect(await checkCountersOnce(db, 60)).toBeNull();
  expect(await counted()).toEqual(await truth());
});
