// Retention deletes only completed and cancelled jobs older than the window, in batches, with
// their attempts; it keeps dead jobs, recent jobs, active jobs and campaign jobs, leaves the
// rollups alone, and does nothing while another process holds the retention lock.
import { afterAll, beforeAll, expect, test } from "vitest";
import { RETENTION_LOCK_KEY, deleteExpiredJobs, deleteExpiredRollups } from "../../lib/queue/retention";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("overview_retention");
});
afterAll(async () => t?.drop());

/** Inserts `n` finished jobs in `state`, finished `daysAgo` days ago, each with one attempt row. */
async function seed(state: string, n: number, daysAgo: number, extra: { campaign?: number } = {}) {
  await t.db.query(
    `with j as (
       insert into jobs (queue, kind, state, attempts, created_at, started_at, finished_at, campaign_id)
       select 'ret', 'k-' || $1, $1, 1, now() - make_interval(secs => $3::float8 * 86400) - interval '1 minute',
         now() - make_interval(secs => $3::float8 * 86400) - interval '1 minute',
         case when $1 in ('completed', 'cancelled', 'dead') then now() - make_interval(secs => $3::float8 * 86400) - g * interval '1 second' end, $4
       from generate_series(1, $2::int) g returning id)
     insert into job_attempts (job_id, attempt, worker_id, finished_at, outcome) select id, 1, 'w', now(), $1 from j`,
    [state, n, daysAgo, extra.campaign ?? null],
  );
}

const countBy = async () =>
  Object.fromEntries(
    (await t.db.query<{ k: string; n: number }>(
      `select kind || case when finished_at < now() - interval '7 days' then ':old' else ':new' end as k, count(*)::int as n
       from jobs group by 1 order by 1`,
    )).map((r) => [r.k, r.n]),
  );

test("deletes only old completed and cancelled jobs, 1,000 per batch, and keeps the rest", async () => {
  const [{ id: campaign }] = await t.db.query<{ id: number }>(
    "insert into campaigns (name, kind, batch_size, created_by) values ('c', 'batch', 10, 'test') returning id",
  );
  await seed("completed", 2_300, 10);
  await seed("cancelled", 150, 8);
  await seed("dead", 40, 30);
  await seed("completed", 60, 1);
  await seed("cancelled", 5, 6.9);
  await seed("pending", 7, 20);
  await seed("running", 3, 20);
  await seed("failed", 4, 20);
  await t.db.query("update jobs set kind = 'k-campaign' where id in (select id from jobs where kind = 'k-completed' order by id limit 25)");
  await t.db.query("update jobs set campaign_id = $1 where kind = 'k-campaign'", [campaign]);
  await t.db.query(
    "insert into job_rollups (bucket, queue, kind, completed) values (date_trunc('minute', now() - interval '10 days'), 'ret', 'k-completed', 2300)",
  );
  const attemptsBefore = (await t.db.query<{ n: number }>("select count(*)::int as n from job_attempts"))[0].n;

  const r = await deleteExpiredJobs(t.db, { olderThanDays: 7, batchSize: 1_000, maxBatches: 10 });
  expect(r.deleted).toBe(2_275 + 150);
  expect(r.batches).toBe(3); // 1,000 + 1,000 + 425
  expect(r.ran).toBe(true);

  expect(await countBy()).toEqual({
    "k-campaign:old": 25,
    "k-cancelled:new": 5,
    "k-completed:new": 60,
    "k-dead:old": 40,
    "k-failed:new": 4,
    "k-pending:new": 7,
    "k-running:new": 3,
  });
  // Attempts of deleted jobs went with them; history stays in the rollups.
  const attemptsAfter = (await t.db.query<{ n: number }>("select count(*)::int as n from job_attempts"))[0].n;
  expect(attemptsBefore - attemptsAfter).toBe(2_425);
  expect((await t.db.query<{ n: number }>("select sum(completed)::int as n from job_rollups where queue = 'ret'"))[0].n).toBe(2_300);

  // Nothing left to delete: one short batch.
  expect(await deleteExpiredJobs(t.db, { olderThanDays: 7 })).toEqual({ deleted: 0, batches: 1, ran: true });
});

test("maxBatches bounds one call; a second call continues", async () => {
  await t.db.query("truncate jobs, job_attempts cascade");
  await seed("completed", 250, 9);
  expect(await deleteExpiredJobs(t.db, { olderThanDays: 7, batchSize: 100, maxBatches: 2 })).toEqual({ deleted: 200, batches: 2, ran: true });
  expect(await deleteExpiredJobs(t.db, { olderThanDays: 7, batchSize: 100, maxBatches: 2 })).toEqual({ deleted: 50, batches: 1, ran: true });
});

test("does nothing while another process holds the retention lock", async () => {
  await t.db.query("truncate jobs, job_attempts cascade");
  await seed("completed", 10, 9);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = t.db.tx(async (q) => {
    await q.query("select pg_advisory_xact_lock($1)", [RETENTION_LOCK_KEY]);
    locked();
    await held;
  });
  await isLocked;
  expect(await deleteExpiredJobs(t.db, { olderThanDays: 7 })).toEqual({ deleted: 0, batches: 0, ran: false });
  release();
  await holder;
  expect((await deleteExpiredJobs(t.db, { olderThanDays: 7 })).deleted).toBe(10);
});

test("rollups and depth samples are kept for their own, longer window", async () => {
  await t.db.query(
    `insert into job_rollups (bucket, queue, kind, completed)
     select date_trunc('hour', now()) - d * interval '1 day', 'keep', 'k', 1 from generate_series(0, 99) d`,
  );
  await t.db.query(
    `insert into queue_depth_samples (bucket, queue, ready)
     select date_trunc('hour', now()) - d * interval '1 day', 'keep', 1 from generate_series(0, 99) d`,
  );
  // Days 90..99 (bucket at the start of the hour, so day 90 is just past the window): 10 of each.
  expect(await deleteExpiredRollups(t.db, { olderThanDays: 90 })).toBe(2 * 10);
  const [r] = await t.db.query<{ n: number; oldest: number }>(
    "select count(*)::int as n, max(extract(epoch from now() - bucket) / 86400)::float8 as oldest from job_rollups where queue = 'keep'",
  );
  expect(r.n).toBe(90);
  expect(r.oldest).toBeLessThan(90);
});
