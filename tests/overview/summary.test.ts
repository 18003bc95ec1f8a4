// The overview's read model on constructed data: every card, the per-(queue, kind) table, the
// charts' series and the needs-attention list come out exactly as seeded.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getOverview } from "../../lib/queries/overview";
import { getKindRates, getOverviewSeries } from "../../lib/queries/rollups";
import { getOverviewSummary, needsAttention } from "../../lib/queries/summary";
import { RUNTIME_BUCKETS, runtimeBucketOf } from "../../lib/queue/rollups";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
const hist = (ms: number, n: number) => Array.from({ length: RUNTIME_BUCKETS }, (_, i) => (i === runtimeBucketOf(ms) ? n : 0));

beforeAll(async () => {
  t = await createTestDatabase("overview_summary");
  const q = t.db;
  await q.query(
    `insert into workers (id, hostname, pid, queues, concurrency, version, last_heartbeat_at, stopped_at) values
       ('w-on', 'h', 1, '{beta}', 4, 't', now(), null),
       ('w-off', 'h', 2, '{}', 4, 't', now() - interval '10 minutes', null),
       ('w-stop', 'h', 3, '{}', 4, 't', now() - interval '1 hour', now() - interval '1 hour')`,
  );
  await q.query(
    `insert into jobs (queue, kind, state, run_at, attempts, started_at, finished_at, locked_by, locked_until) values
       ('alpha', 'send', 'pending', now() - interval '30 minutes', 0, null, null, null, null),
       ('alpha', 'send', 'pending', now() - interval '1 minute', 0, null, null, null, null),
       ('alpha', 'send', 'pending', now(), 0, null, null, null, null),
       ('alpha', 'send', 'pending', now() + interval '1 hour', 0, null, null, null, null),
       ('alpha', 'send', 'pending', now() + interval '2 hours', 0, null, null, null, null),
       ('alpha', 'send', 'failed', now() + interval '5 minutes', 1, now() - interval '1 minute', null, null, null),
       ('alpha', 'send', 'dead', now(), 5, now(), now(), null, null),
       ('alpha', 'send', 'dead', now(), 5, now(), now(), null, null),
       ('alpha', 'sync', 'cancelled', now(), 0, null, now(), null, null),
       ('alpha', 'sync', 'completed', now(), 1, now(), now(), null, null),
       ('beta', 'resize', 'running', now(), 1, now() - interval '5 minutes', null, 'w-off', now() - interval '1 minute'),
       ('beta', 'resize', 'running', now(), 1, now(), null, 'w-on', now() + interval '5 minutes')`,
  );
  await q.query(
    `insert into job_rollups (bucket, queue, kind, completed, failed, dead, runtime_ms_sum, runtime_count, runtime_hist) values
       (date_trunc('minute', now() - interval '10 minutes'), 'alpha', 'send', 40, 4, 2, 40 * 100, 40, $1),
       (date_trunc('minute', now() - interval '90 minutes'), 'alpha', 'send', 10, 0, 0, 10 * 3000, 10, $2),
       (date_trunc('minute', now() - interval '20 hours'), 'alpha', 'send', 100, 0, 0, 100 * 100, 100, $3),
       (date_trunc('minute', now() - interval '3 days'), 'alpha', 'send', 1000, 0, 0, 0, 0, '{}')`,
    [hist(100, 40), hist(3000, 10), hist(100, 100)],
  );
  await q.query(
    `insert into queue_depth_samples (bucket, queue, ready, scheduled, running, retrying) values
       (date_trunc('minute', now() - interval '2 minutes'), 'alpha', 3, 2, 0, 1),
       (date_trunc('minute', now() - interval '2 minutes'), 'beta', 0, 0, 2, 0)`,
  );
});
afterAll(async () => t?.drop());

describe("summary", () => {
  test("cards count exactly what was seeded", async () => {
    const s = await getOverviewSummary({ q: t.db, offlineAfterSeconds: 30 });
    expect(s.counts).toMatchObject({
      ready: 3,
      scheduled: 2,
      running: 2,
      stale: 1,
      runningOnOfflineWorkers: 1,
      retrying: 1,
      dead: { value: 2, capped: false },
      cancelled: { value: 1, capped: false },
      completedLastHour: 40,
      completedLast24h: 150,
      failedLastHour: 4,
      oldestReadyQueue: "alpha",
    });
    expect(s.counts.oldestReadyAgeSeconds).toBeGreaterThan(29 * 60);
    expect(s.counts.oldestReadyAgeSeconds).toBeLessThan(32 * 60);
    expect(s.workers).toMatchObject({ online: 1, offline: 1, stopped: 1 });
    expect(s.servedQueues).toEqual(["beta"]);
    expect(s.kinds).toEqual([
      { queue: "alpha", kind: "send", ready: 3, scheduled: 2, running: 0, retrying: 1, dead: 2 },
      { queue: "beta", kind: "resize", ready: 0, scheduled: 0, running: 2, retrying: 0, dead: 0 },
    ]);
  });

  test("history counts stop at the cap and say so", async () => {
    const s = await getOverviewSummary({ q: t.db });
    expect(s.counts.dead.capped).toBe(false);
  });
});

describe("needs attention", () => {
  test("lists stale locks, offline holders, rising dead jobs, old pending work and an unserved queue", async () => {
    const s = await getOverviewSummary({ q: t.db, offlineAfterSeconds: 30 });
    const { deadTrend } = await getKindRates({ q: t.db, range: "24h" });
    expect(deadTrend).toEqual([{ queue: "alpha", kind: "send", lastHour: 2, previousHour: 0 }]);
    const items = needsAttention(s, deadTrend, { warnSeconds: 15 * 60 });
    expect(items.map((i) => [i.id, i.href])).toEqual([
      ["stale", "/stale"],
      ["offline-holding", "/workers"],
      ["dead-rising-alpha-send", "/jobs?state=dead&kind=send&queue=alpha&finishedSince=1h"],
      ["pending-age-alpha", "/jobs?state=pending&queue=alpha"],
      ["unserved-alpha", "/workers"],
    ]);
    for (const i of items) expect(i.explanation.length).toBeGreaterThan(20);
    // A higher threshold drops the pending-age item; a worker on every queue drops the unserved one.
    expect(needsAttention(s, deadTrend, { warnSeconds: 3600 }).map((i) => i.id)).not.toContain("pending-age-alpha");
    expect(needsAttention({ ...s, servedQueues: null }, deadTrend).map((i) => i.id)).not.toContain("unserved-alpha");
  });
});

describe("charts and rates", () => {
  test("the 1 h series has one point per minute and the seeded counts", async () => {
    const series = await getOverviewSeries({ q: t.db, range: "1h" });
    expect(series.points.length).toBeGreaterThanOrEqual(60);
    expect(series.points.length).toBeLessThanOrEqual(61);
    const busy = series.points.filter((p) => p.completed > 0);
    expect(busy).toHaveLength(1);
    expect(busy[0]).toMatchObject({ completed: 40, failed: 4, dead: 2 });
    expect(busy[0].failureRate).toBeCloseTo(4 / 44, 10);
    expect(busy[0].p50Ms! / 100).toBeGreaterThan(1 / Math.SQRT2);
    expect(busy[0].p50Ms! / 100).toBeLessThan(Math.SQRT2);
    expect(series.depthSamples).toBe(1);
    expect(series.depth.filter((d) => d.ready != null)).toEqual([expect.objectContaining({ ready: 3, scheduled: 2, running: 2, retrying: 1 })]);
  });

  test("24 h and 7 d series add up to the rollups in their windows", async () => {
    const day = await getOverviewSeries({ q: t.db, range: "24h" });
    expect(day.points.reduce((n, p) => n + p.completed, 0)).toBe(150);
    const week = await getOverviewSeries({ q: t.db, range: "7d" });
    expect(week.points.reduce((n, p) => n + p.completed, 0)).toBe(1150);
    expect(week.points.length).toBeGreaterThanOrEqual(84);
    expect(week.points.length).toBeLessThanOrEqual(85);
  });

  test("per-kind rates: throughput, percentiles and failure rate over the range", async () => {
    const { rates } = await getKindRates({ q: t.db, range: "24h" });
    expect(rates).toHaveLength(1);
    const r = rates[0];
    expect(r).toMatchObject({ queue: "alpha", kind: "send", completed: 150, failed: 4, dead: 2 });
    expect(r.perMinute).toBeCloseTo(150 / 1440, 10);
    expect(r.failureRate).toBeCloseTo(4 / 154, 10);
    // 140 runs of ~100 ms and 10 of ~3 s: p50 ≈ 100 ms, p95 ≈ 3 s (within a bucket).
    expect(r.p50Ms! / 100).toBeGreaterThan(1 / Math.SQRT2);
    expect(r.p50Ms! / 100).toBeLessThan(Math.SQRT2);
    expect(r.p95Ms! / 3000).toBeGreaterThan(1 / Math.SQRT2);
    expect(r.p95Ms! / 3000).toBeLessThan(Math.SQRT2);
  });

  test("getOverview puts it all together", async () => {
    const o = await getOverview({ q: t.db, range: "24h" });
    expect(o.summary.counts.dead.value).toBe(2);
    expect(o.rates).toHaveLength(1);
    expect(o.attention.length).toBeGreaterThanOrEqual(4);
  });
});
