// The maintenance loop's depth sampler: several loops (separate pools, as separate workers
// would have) take exactly one sample per queue per minute between them, and a loop that cannot
// get the lock skips instead of waiting.
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDatabase, type Database } from "../../db/client";
import { enqueueMany, claim } from "../../lib/queue";
import { SAMPLE_LOCK_KEY, sampleDepthOnce, startMaintenance } from "../../lib/worker/maintenance";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let other: Database;
beforeAll(async () => {
  t = await createTestDatabase("overview_maintenance");
  other = await openDatabase({ databaseUrl: t.url, max: 3 });
  await enqueueMany(t.db, [
    ...Array.from({ length: 5 }, () => ({ queue: "mail", kind: "send" })),
    ...Array.from({ length: 2 }, () => ({ queue: "mail", kind: "send", runAt: new Date(Date.now() + 3_600_000) })),
    ...Array.from({ length: 3 }, () => ({ queue: "media", kind: "resize" })),
  ]);
  await claim(t.db, { workerId: "w", queues: ["media"], limit: 1, leaseSeconds: 60 });
});
afterAll(async () => {
  await other?.close();
  await t?.drop();
});

async function waitForFreshMinute() {
  // Keep a test's ticks inside one minute: if fewer than 5 s are left, wait for the next one.
  const [{ s }] = await t.db.query<{ s: number }>("select extract(second from now())::float8 as s");
  if (s > 55) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
}

test("two loops ticking together write one sample per queue for the minute", async () => {
  await t.db.query("truncate queue_depth_samples");
  await waitForFreshMinute();
  const a = startMaintenance({ db: t.db, autoStart: false, log: () => {} });
  const b = startMaintenance({ db: other, autoStart: false, log: () => {} });
  const results = [];
  for (let i = 0; i < 5; i++) results.push(...(await Promise.all([a.tick(), b.tick()])));
  await a.stop();
  await b.stop();
  expect(results.reduce((n, r) => n + r.sampled, 0)).toBe(2);
  expect(results.filter((r) => r.sampled > 0)).toHaveLength(1);
  const rows = await t.db.query<{ queue: string; ready: number; scheduled: number; running: number; retrying: number }>(
    "select queue, ready, scheduled, running, retrying from queue_depth_samples order by queue",
  );
  expect(rows).toEqual([
    { queue: "mail", ready: 5, scheduled: 2, running: 0, retrying: 0 },
    { queue: "media", ready: 2, scheduled: 0, running: 1, retrying: 0 },
  ]);
});

test("running loops keep to one sample per queue per minute", async () => {
  await t.db.query("truncate queue_depth_samples");
  const loops = [t.db, other, t.db].map((db) => startMaintenance({ db, intervalMs: 30, log: () => {} }));
  await new Promise((r) => setTimeout(r, 2_500));
  await Promise.all(loops.map((l) => l.stop()));
  const rows = await t.db.query<{ bucket: Date; n: number }>("select bucket, count(*)::int as n from queue_depth_samples group by bucket");
  expect(rows.length).toBeGreaterThanOrEqual(1);
  for (const r of rows) expect(r.n).toBe(2);
});

test("a loop that cannot get the sampling lock skips the sample", async () => {
  await t.db.query("truncate queue_depth_samples");
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = other.tx(async (q) => {
    await q.query("select pg_advisory_xact_lock($1)", [SAMPLE_LOCK_KEY]);
    locked();
    await held;
  });
  await isLocked;
  expect(await sampleDepthOnce(t.db)).toEqual({ leader: false, sampled: 0 });
  release();
  await holder;
  expect((await sampleDepthOnce(t.db)).sampled).toBe(2);
});
