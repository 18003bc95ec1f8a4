// job_rollups are written by the statements that complete and fail attempts: exact counts, a
// runtime histogram whose p50/p95 are right to within one bucket, nothing for a fenced-off
// completion, no deadlock when many batches upsert the same rows, and compaction keeps sums.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { acknowledgeCancel, cancelJobs, claim, completeMany, enqueueMany, fail } from "../../lib/queue";
import {
  RUNTIME_BUCKETS,
  compactRollups,
  histogramQuantile,
  runtimeBucketBounds,
  runtimeBucketOf,
} from "../../lib/queue/rollups";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("overview_rollups");
});
afterAll(async () => t?.drop());

let seq = 0;
const freshQueue = () => `rq${++seq}`;

interface RollupRow {
  completed: number;
  failed: number;
  dead: number;
  cancelled: number;
  runtime_ms_sum: number;
  runtime_count: number;
  runtime_hist: number[];
}

async function rollup(queue: string, kind: string): Promise<RollupRow> {
  const rows = await t.db.query<RollupRow>(
    `select sum(completed)::int as completed, sum(failed)::int as failed, sum(dead)::int as dead,
       sum(cancelled)::int as cancelled, sum(runtime_ms_sum)::float8 as runtime_ms_sum, sum(runtime_count)::int as runtime_count,
       (select array_agg(s order by i) from (select i, sum(x)::int as s from job_rollups r2, unnest(r2.runtime_hist) with ordinality u(x, i)
          where r2.queue = $1 and r2.kind = $2 group by i) h) as runtime_hist
     from job_rollups where queue = $1 and kind = $2`,
    [queue, kind],
  );
  return rows[0];
}

/** Claims `n` jobs of `queue` and backdates their start so each attempt ran `runtimesMs[i]`. */
async function claimWithRuntimes(queue: string, kind: string, runtimesMs: number[]) {
  await enqueueMany(t.db, runtimesMs.map(() => ({ queue, kind })));
  const jobs = await claim(t.db, { workerId: "w-test", queues: [queue], limit: runtimesMs.length, leaseSeconds: 300 });
  expect(jobs).toHaveLength(runtimesMs.length);
  await t.db.query(
    `update jobs j set started_at = now() - make_interval(secs => x.ms / 1000.0)
     from unnest($1::bigint[], $2::float8[]) as x(id, ms) where j.id = x.id`,
    [jobs.map((j) => j.id), runtimesMs],
  );
  return jobs;
}

function exactQuantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
}

describe("the histogram", () => {
  test("bucket bounds are √2 apart and every runtime falls inside its bucket", () => {
    for (const ms of [0, 0.5, 1, 1.3, 2, 3, 10, 99, 1000, 1234.5, 60_000, 3_600_000]) {
      const b = runtimeBucketOf(ms);
      const [lo, hi] = runtimeBucketBounds(b);
      expect(ms).toBeGreaterThanOrEqual(lo);
      expect(ms).toBeLessThan(hi);
    }
    expect(runtimeBucketOf(1e12)).toBe(RUNTIME_BUCKETS - 1);
    const [lo, hi] = runtimeBucketBounds(10);
    expect(hi / lo).toBeCloseTo(Math.SQRT2, 10);
  });

  test("quantiles of an empty histogram are null", () => {
    expect(histogramQuantile([], 0.5)).toBeNull();
    expect(histogramQuantile(new Array(RUNTIME_BUCKETS).fill(0), 0.95)).toBeNull();
  });
});

describe("completions", () => {
  test("N completions in several batches are counted exactly, with runtimes in the right buckets", async () => {
    const queue = freshQueue();
    // Runtimes at the geometric middle of buckets 28..44 (≈ 14 s .. 1 h), far from any edge even on a busy machine,
    // skewed so p50 and p95 land in different buckets.
    const runtimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const bucket = i < 120 ? 28 + (i % 4) : i < 190 ? 34 + (i % 5) : 42 + (i % 3);
      runtimes.push(2 ** ((bucket - 0.5) / 2));
    }
    const jobs = await claimWithRuntimes(queue, "resize", runtimes);
    // Four batches, as a worker flushes them.
    for (let b = 0; b < 4; b++) {
      const batch = jobs.slice(b * 50, (b + 1) * 50);
      const accepted = await completeMany(t.db, batch.map((j) => ({ jobId: j.id, attemptId: j.attemptId })));
      expect(accepted).toHaveLength(50);
    }
    const r = await rollup(queue, "resize");
    expect(r.completed).toBe(200);
    expect(r.runtime_count).toBe(200);
    expect(r.failed).toBe(0);
    const expectedSum = runtimes.reduce((a, b) => a + b, 0);
    expect(r.runtime_ms_sum).toBeGreaterThanOrEqual(expectedSum - 200);
    expect(r.runtime_ms_sum).toBeLessThan(expectedSum + 200 * 2_000); // + at most 2 s of test latency each

    // Every runtime is counted in exactly its bucket (the test's own latency is far below a bucket's width).
    const expectedHist = new Array(RUNTIME_BUCKETS).fill(0);
    for (const ms of runtimes) expectedHist[runtimeBucketOf(ms)]++;
    expect(r.runtime_hist).toEqual(expectedHist);

    for (const p of [0.5, 0.95]) {
      const exact = exactQuantile(runtimes, p);
      const est = histogramQuantile(r.runtime_hist, p)!;
      expect(est / exact).toBeGreaterThan(1 / Math.SQRT2);
      expect(est / exact).toBeLessThan(Math.SQRT2);
    }
  });

  test("a rejected (fenced-off) completion adds nothing", async () => {
    const queue = freshQueue();
    const [job] = await claimWithRuntimes(queue, "send", [500]);
    expect(await completeMany(t.db, [{ jobId: job.id, attemptId: job.attemptId + 999 }])).toEqual([]);
    expect((await rollup(queue, "send")).completed).toBeNull();
    await completeMany(t.db, [{ jobId: job.id, attemptId: job.attemptId }]);
    // Completing the same attempt twice counts once.
    expect(await completeMany(t.db, [{ jobId: job.id, attemptId: job.attemptId }])).toEqual([]);
    expect((await rollup(queue, "send")).completed).toBe(1);
  });

  test("a batch of several kinds upserts one row per (queue, kind)", async () => {
    const queue = freshQueue();
    const a = await claimWithRuntimes(queue, "a", [100, 100, 100]);
    const b = await claimWithRuntimes(queue, "b", [2000, 2000]);
    await completeMany(t.db, [...b, ...a].map((j) => ({ jobId: j.id, attemptId: j.attemptId })));
    expect((await rollup(queue, "a")).completed).toBe(3);
    expect((await rollup(queue, "b")).completed).toBe(2);
    const rows = await t.db.query<{ n: number }>("select count(*)::int as n from job_rollups where queue = $1", [queue]);
    expect(rows[0].n).toBeLessThanOrEqual(4); // one per kind, per minute (two if the minute turned)
  });

  test("many concurrent batches over the same rows neither deadlock nor lose a count", async () => {
    const queue = freshQueue();
    const kinds = ["k1", "k2", "k3"];
    await enqueueMany(t.db, Array.from({ length: 600 }, (_, i) => ({ queue, kind: kinds[i % 3] })));
    const jobs = await claim(t.db, { workerId: "w-par", queues: [queue], limit: 600, leaseSeconds: 300 });
    expect(jobs).toHaveLength(600);
    // 30 batches of 20, each mixing kinds in a different order, 10 at a time.
    const batches = Array.from({ length: 30 }, (_, b) => {
      const slice = jobs.slice(b * 20, (b + 1) * 20);
      return b % 2 ? slice.reverse() : slice;
    });
    for (let i = 0; i < batches.length; i += 10) {
      await Promise.all(batches.slice(i, i + 10).map((batch) => completeMany(t.db, batch.map((j) => ({ jobId: j.id, attemptId: j.attemptId })))));
    }
    for (const k of kinds) expect((await rollup(queue, k)).completed).toBe(200);
  });
});

describe("failures", () => {
  test("retries, dead-letters and acknowledged cancels are counted in their own columns", async () => {
    const queue = freshQueue();
    await enqueueMany(t.db, Array.from({ length: 7 }, () => ({ queue, kind: "charge", maxAttempts: 2 })));
    let jobs = await claim(t.db, { workerId: "w-f", queues: [queue], limit: 7, leaseSeconds: 300 });
    // 3 fail and will retry, 2 fail permanently (dead), 1 is cancelled while running, 1 completes.
    for (const j of jobs.slice(0, 3)) expect((await fail(t.db, { jobId: j.id, attemptId: j.attemptId, error: "boom", baseDelaySeconds: 0.001, maxDelaySeconds: 0.001 })).state).toBe("failed");
    for (const j of jobs.slice(3, 5)) expect((await fail(t.db, { jobId: j.id, attemptId: j.attemptId, error: "bad", permanent: true })).state).toBe("dead");
    await cancelJobs(t.db, [jobs[5].id]);
    await acknowledgeCancel(t.db, { jobId: jobs[5].id, attemptId: jobs[5].attemptId });
    await completeMany(t.db, [{ jobId: jobs[6].id, attemptId: jobs[6].attemptId }]);
    let r = await rollup(queue, "charge");
    expect(r).toMatchObject({ completed: 1, failed: 5, dead: 2, cancelled: 1, runtime_count: 1 });

    // The three retries fail again: attempts are exhausted, so they go dead (3 more failures, 3 more dead).
    await new Promise((res) => setTimeout(res, 20));
    jobs = await claim(t.db, { workerId: "w-f", queues: [queue], limit: 7, leaseSeconds: 300 });
    expect(jobs).toHaveLength(3);
    for (const j of jobs) expect((await fail(t.db, { jobId: j.id, attemptId: j.attemptId, error: "again" })).state).toBe("dead");
    r = await rollup(queue, "charge");
    expect(r).toMatchObject({ completed: 1, failed: 8, dead: 5, cancelled: 1 });
  });
});

describe("compaction", () => {
  test("minute rows of old hours merge into one hourly row with the same sums and histogram", async () => {
    const queue = freshQueue();
    const hist = (i: number) => Array.from({ length: RUNTIME_BUCKETS }, (_, b) => (b === 10 + (i % 3) ? i + 1 : 0));
    // 60 minute rows in an hour two days ago, plus 5 rows in a recent hour that must stay as they are.
    for (let m = 0; m < 60; m++) {
      await t.db.query(
        `insert into job_rollups (bucket, queue, kind, completed, failed, dead, runtime_ms_sum, runtime_count, runtime_hist)
         values (date_trunc('hour', now() - interval '2 days') + make_interval(mins => $2), $1, 'old', $3, 1, $4, $5, $3, $6)`,
        [queue, m, m + 1, m % 2, 100 * (m + 1), hist(m)],
      );
    }
    for (let m = 0; m < 5; m++) {
      await t.db.query(
        `insert into job_rollups (bucket, queue, kind, completed, runtime_hist) values (date_trunc('minute', now()) - make_interval(mins => $2), $1, 'new', 1, $3)`,
        [queue, m + 1, hist(m)],
      );
    }
    const before = await rollup(queue, "old");
    const merged = await compactRollups(t.db, { olderThanHours: 26 });
    expect(merged).toBeGreaterThanOrEqual(59);
    const rows = await t.db.query<{ kind: string; n: number }>("select kind, count(*)::int as n from job_rollups where queue = $1 group by kind order by kind", [queue]);
    expect(rows).toEqual([{ kind: "new", n: 5 }, { kind: "old", n: 1 }]);
    const after = await rollup(queue, "old");
    expect(after).toEqual(before);
    expect(after.completed).toBe((60 * 61) / 2);
    // Idempotent.
    await compactRollups(t.db, { olderThanHours: 26 });
    expect(await rollup(queue, "old")).toEqual(before);
  });
});
