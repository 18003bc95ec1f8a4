// The job counters (lib/queue/counters.ts) stay exact through every transition: three real
// `jobdeck worker` processes complete, retry and dead-letter jobs while their maintenance loops
// fold the deltas every 300 ms, and meanwhile the test runs a bulk retry and a bulk cancel, a
// transaction that rolls back, a stale-lease recovery and a retention delete. Counters and
// count(*) are compared in ONE statement (one snapshot), so they must agree at every instant:
// during the run, at the end before and after a fold; then the drift check repairs totals that
// were corrupted on purpose, and says what it fixed.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Sql } from "../../db/client";
import { applyBulk, previewBulk, recoverStaleJobs } from "../../lib/operations/bulk";
import { claim, enqueueMany, type JobSpec } from "../../lib/queue";
import { checkJobCounters } from "../../lib/queue/counter-check";
import { foldJobCounts, JOB_COUNTS_SQL } from "../../lib/queue/counters";
import { deleteExpiredJobs } from "../../lib/queue/retention";
import { startMaintenance } from "../../lib/worker/maintenance";
import { fixture, killQuietly, sleep, spawnWorker, stopWorker, waitFor, type WorkerProcess } from "../fixtures/queue-helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

const actor = { name: "test:counters" };
let t: TestDatabase;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  t = await createTestDatabase("counters");
});
afterAll(async () => {
  workers.forEach(killQuietly);
  await t?.drop();
});

type Row = Record<string, string | number | boolean | null>;
const sorted = (rows: Row[] | null) => (rows ?? []).map((r) => JSON.stringify(r)).sort();

/** Counters and count(*), job and campaign, read in one statement: they must be equal. */
async function expectExact(q: Sql): Promise<number> {
  const [r] = await q.query<{ counted: Row[] | null; truth: Row[] | null; ccounted: Row[] | null; ctruth: Row[] | null }>(
    `select
       (select jsonb_agg(jsonb_build_object('queue', queue, 'kind', kind, 'state', state, 'n', n)) from (${JOB_COUNTS_SQL}) c) as counted,
       (select jsonb_agg(jsonb_build_object('queue', queue, 'kind', kind, 'state', state, 'n', n))
        from (select queue, kind, state, count(*) as n from jobs group by 1, 2, 3) t) as truth,
       (select jsonb_agg(jsonb_build_object('c', campaign_id, 'child', child, 'state', state, 'n', n)) from (
          select campaign_id, child, state, sum(n) as n from (
            select campaign_id, child, state, n from campaign_job_counts
            union all select campaign_id, child, state, n from job_count_deltas where campaign_id is not null) x
          group by 1, 2, 3 having sum(n) <> 0) c) as ccounted,
       (select jsonb_agg(jsonb_build_object('c', campaign_id, 'child', child, 'state', state, 'n', n)) from (
          select campaign_id, parent_id is not null as child, state, count(*) as n from jobs
          where campaign_id is not null group by 1, 2, 3) t) as ctruth`,
  );
  expect(sorted(r.counted)).toEqual(sorted(r.truth));
  expect(sorted(r.ccounted)).toEqual(sorted(r.ctruth));
  return (r.truth ?? []).length;
}

const deltaRows = async () => (await t.db.query<{ n: number }>("select count(*)::int as n from job_count_deltas"))[0].n;

test("counters equal count(*) through workers, bulk actions, rollback, recovery, retention and a drift repair", { timeout: 180_000 }, async () => {
  const { db } = t;
  const [{ id: campaignId }] = await db.query<{ id: number }>(
    "insert into campaigns (name, kind, batch_size, created_by) values ('counted', 'ok', 100, 'test') returning id",
  );
  const kinds = ["ok", "ok", "flaky", "bad"];
  const [batchId] = await enqueueMany(db, [{ kind: "ok", queue: "a", campaignId, position: 0 }]);
  const specs: JobSpec[] = [
    ...Array.from({ length: 300 }, (_, i) => ({ kind: kinds[i % 4], queue: "a", campaignId, parentId: batchId, itemKey: `item-${i}`, position: i })),
    ...Array.from({ length: 1_500 }, (_, i) => ({ kind: kinds[i % 4], queue: i % 2 ? "a" : "b" })),
    // Scheduled, in a queue no worker serves: pending until an operator cancels them.
    ...Array.from({ length: 200 }, (_, i) => ({ kind: i % 2 ? "ok" : "flaky", queue: "later", runAt: new Date(Date.now() + 3_600_000) })),
  ];
  await enqueueMany(db, specs);
  await expectExact(db);

  workers.push(
    ...(await Promise.all(
      Array.from({ length: 3 }, () =>
        spawnWorker({
          databaseUrl: t.url,
          handlers: fixture("counter-handlers.mjs"),
          concurrency: 4,
          queues: ["a", "b"],
          env: { JOBDECK_COUNTER_FOLD_SECONDS: "0.3", JOBDECK_LEASE_SECONDS: "10" },
        }),
      ),
    )),
  );

  // A transaction that writes jobs and then fails leaves no count behind.
  await expect(
    db.tx(async (q) => {
      await enqueueMany(q, Array.from({ length: 50 }, () => ({ kind: "ok", queue: "b" })));
      await q.query("update jobs set state = 'cancelled', finished_at = now() where queue = 'later'");
      throw new Error("rolled back on purpose");
    }),
  ).rejects.toThrow("rolled back on purpose");
  await expectExact(db);

  // A lease that expires (a worker that vanished), then recovered by an operator.
  await enqueueMany(db, Array.from({ length: 20 }, () => ({ kind: "ok", queue: "ghostly" })));
  const ghost = await db.tx((q) => claim(q, { workerId: "ghost", queues: ["ghostly"], limit: 20, leaseSeconds: 1 }));
  expect(ghost).toHaveLength(20);
  await sleep(1_200);
  // The operator recovers them, unless a worker's own stale sweep got there first.
  await recoverStaleJobs(db, { target: { all: true }, actor });
  await waitFor("the ghost's jobs to be pending again", async () => {
    const [r] = await db.query<{ n: number }>("select count(*)::int as n from jobs where queue = 'ghostly' and state = 'pending'");
    return r.n === 20;
  });

  // Exact while the workers run and fold, sampled a few times.
  for (let i = 0; i < 5; i++) {
    await expectExact(db);
    await sleep(200);
  }

  // A filter of states/queue/kind is previewed from the counters: the same numbers as count(*).
  const later = { states: ["pending" as const], queue: "later" };
  expect(await previewBulk(db, { action: "cancel", filter: { ...later, kind: "ok" } })).toMatchObject({ matched: 100, will_change: 100, by_state: { pending: 100 } });
  expect(await previewBulk(db, { action: "retry", filter: { states: [], queue: "later" } })).toMatchObject({ matched: 200, will_change: 0, will_skip: 200 });
  expect((await applyBulk(db, { action: "cancel", filter: later, actor })).affected).toBe(200);
  expect(await previewBulk(db, { action: "retry", filter: { states: [], queue: "later" } })).toMatchObject({ matched: 200, will_change: 200, by_state: { cancelled: 200 } });

  const settled = async () => {
    const [r] = await db.query<{ open: number }>(
      "select count(*)::int as open from jobs where queue in ('a', 'b') and state in ('pending', 'running', 'failed')",
    );
    return r.open === 0;
  };
  await waitFor("the first round to settle", settled, 90_000, 200);
  await expectExact(db);

  // Bulk retry of the dead: they run (and die) again.
  const retried = await applyBulk(db, { action: "retry", filter: { states: ["dead"], queue: "a" }, actor });
  expect(retried.affected).toBeGreaterThan(100);
  await expectExact(db);
  await waitFor("the retried jobs to die again", settled, 90_000, 200);

  // Retention: completed jobs of a month ago go (campaign jobs stay with their campaign).
  await db.query("update jobs set finished_at = now() - interval '30 days' where state = 'completed' and campaign_id is null and queue = 'b'");
  const [{ old }] = await db.query<{ old: number }>("select count(*)::int as old from jobs where finished_at < now() - interval '7 days'");
  expect(old).toBeGreaterThan(100);
  // Batches of 100 (a worker's own retention may take the lock, or some of them, meanwhile).
  await waitFor("retention to delete them", async () => {
    await deleteExpiredJobs(db, { olderThanDays: 7, batchSize: 100, maxBatches: 100 });
    const [r] = await db.query<{ n: number }>("select count(*)::int as n from jobs where finished_at < now() - interval '7 days'");
    return r.n === 0;
  });
  await expectExact(db);

  const exits = await Promise.all(workers.map((w) => stopWorker(w)));
  expect(exits.every((e) => e.code === 0)).toBe(true);

  // Every state occurred, in more than one (queue, kind).
  const [{ states }] = await db.query<{ states: string[] }>("select array_agg(distinct state order by state) as states from jobs");
  expect(states).toEqual(["cancelled", "completed", "dead", "pending"]);

  // Before and after a fold.
  await enqueueMany(db, Array.from({ length: 5 }, () => ({ kind: "late", queue: "c" })));
  expect(await deltaRows()).toBeGreaterThan(0);
  await expectExact(db);
  expect(await foldJobCounts(db)).toBeGreaterThan(0);
  expect(await deltaRows()).toBe(0);
  await expectExact(db);

  // The workers' loops ran the drift check while jobs moved (their first tick is due at once): it found nothing.
  expect(await db.query("select drifted from job_counter_checks")).toEqual([{ drifted: 0 }]);

  // The drift check repairs corrupted totals and says what was wrong.
  await db.query("update job_counts set n = n + 7 where queue = 'a' and kind = 'ok' and state = 'completed'");
  await db.query("insert into job_counts (queue, kind, state, n) values ('nowhere', 'none', 'dead', 3)");
  await db.query("update campaign_job_counts set n = n - 2 where campaign_id = $1 and child and state = 'completed'", [campaignId]);
  const logs: string[] = [];
  const loop = startMaintenance({ db, autoStart: false, log: (m) => logs.push(m) });
  const tick = await loop.tick({ force: true });
  await loop.stop();
  expect(tick.counterDrift).toBe(3);
  expect(logs.join("\n")).toMatch(/counter drift repaired: .*a\/ok\/completed counted \d+, actual \d+/);
  expect(logs.join("\n")).toContain("nowhere/none/dead counted 3, actual 0");
  expect(logs.join("\n")).toMatch(new RegExp(`campaign ${campaignId}/item/completed counted \\d+, actual \\d+`));
  await expectExact(db);
  expect(await db.tx((q) => checkJobCounters(q))).toEqual([]);
  // Zero totals are dropped by the check.
  const [{ zeros }] = await db.query<{ zeros: number }>("select count(*)::int as zeros from job_counts where n = 0");
  expect(zeros).toBe(0);
});
