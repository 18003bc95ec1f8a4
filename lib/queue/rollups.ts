// The job_rollups writer: per-minute counts and runtime histograms of finished attempts, per
// queue and kind, upserted by the SAME statement that completes, fails or cancels an attempt
// (lib/queue/finish.ts appends these CTEs).
//
// Why the queue writes it, and not a periodic sampler:
// - exact: every accepted completion/failure is counted once, in the transaction that makes it
//   true; a rejected (fenced-off) completion changes no job row and so adds nothing;
// - durable: history survives worker and app restarts and the deletion of old jobs by
//   retention, which a sampler reading `jobs` could not see (a job completed and deleted between
//   two samples, or a job retried after it was counted);
// - cheap to read: charts over 7 days read at most 60 × 24 × 7 rows per (queue, kind) — fewer
//   after compaction — never the jobs table.
// The cost is contention: workers completing the same (minute, queue, kind) serialize on that
// row for the length of their statement. completeMany aggregates its whole batch into one row per
// (queue, kind), inserted in (queue, kind) order so two batches never deadlock; measured with
// `npm run bench:queue` (see the report in the PR). Queue DEPTH is a level, not an event, so it is
// sampled once a minute by the maintenance loop instead (lib/worker/maintenance.ts).
//
// Runtime histogram: RUNTIME_BUCKETS log-scale buckets, √2 apart. Bucket 0 holds runtimes
// below 1 ms; bucket i ≥ 1 holds [2^((i-1)/2), 2^(i/2)) ms; the last bucket is open-ended
// (≥ 2^23 ms ≈ 2.3 h). Histograms merge by adding element-wise, so p50/p95 over any set of
// rows is exact to within one bucket (a factor of √2; interpolation usually does much better).
import type { Sql } from "../../db/client";
import { JOB_COUNTS_SQL } from "./counters";

/** Number of runtime histogram buckets. */
export const RUNTIME_BUCKETS = 48;

/** SQL: the histogram bucket (0-based) of a runtime in milliseconds. */
export function runtimeBucketSql(ms: string): string {
  return `(case when ${ms} < 1 then 0 else least(${RUNTIME_BUCKETS - 1}, 1 + floor(2 * ln(${ms}::float8) / ln(2.0))::int) end)`;
}

/** Lower and upper bound (ms) of a bucket; the last bucket's upper bound is Infinity. */
export function runtimeBucketBounds(i: number): [number, number] {
  if (i <= 0) return [0, 1];
  const lower = 2 ** ((i - 1) / 2);
  return [lower, i >= RUNTIME_BUCKETS - 1 ? Infinity : 2 ** (i / 2)];
}

/** The bucket a runtime falls in (same rule as runtimeBucketSql). */
export function runtimeBucketOf(ms: number): number {
  if (ms < 1) return 0;
  return Math.min(RUNTIME_BUCKETS - 1, 1 + Math.floor(2 * Math.log2(ms)));
}

/** Adds histograms element-wise (missing elements count as 0). */
export function mergeHistograms(into: number[], add: readonly (number | null)[] | null | undefined): number[] {
  if (!add) return into;
  for (let i = 0; i < add.length; i++) into[i] = (into[i] ?? 0) + Number(add[i] ?? 0);
  return into;
}

/**
 * The p-quantile (0 < p < 1) of a runtime histogram, in ms, or null when it is empty.
 * Interpolates geometrically inside the bucket; in the open last bucket it returns the bucket's
 * lower bound ("at least").
 */
export function histogramQuantile(hist: readonly number[], p: number): number | null {
  const total = hist.reduce((a, b) => a + (b || 0), 0);
  if (total <= 0) return null;
  const rank = p * total;
  let before = 0;
  for (let i = 0; i < hist.length; i++) {
    const n = hist[i] || 0;
    if (n > 0 && before + n >= rank) {
      const [lo, hi] = runtimeBucketBounds(i);
      const f = Math.min(1, Math.max(0, (rank - before) / n));
      if (!Number.isFinite(hi)) return lo;
      if (lo === 0) return hi * f;
      return lo * (hi / lo) ** f;
    }
    before += n;
  }
  return runtimeBucketBounds(hist.length - 1)[0];
}

/** SQL: element-wise sum of two integer arrays (for ON CONFLICT merges). */
export function addArraysSql(a: string, b: string): string {
  return `array(select coalesce(x, 0) + coalesce(y, 0) from unnest(${a}, ${b}) with ordinality as u(x, y, i) order by i)`;
}

/**
 * A CTE body that upserts one rollup row per (queue, kind) of the completions in `source`, a CTE
 * with columns queue, kind, runtime_ms (null when unknown).
 */
export function rollupCompletionsSql(source: string): string {
  return `insert into job_rollups as r (bucket, queue, kind, completed, runtime_ms_sum, runtime_count, runtime_hist)
       select date_trunc('minute', now()), g.queue, g.kind, g.n, g.ms_sum, g.ms_n,
         (select array_agg((select count(*) from ${source} x
                            where x.queue = g.queue and x.kind = g.kind and x.runtime_ms is not null
                              and ${runtimeBucketSql("x.runtime_ms")} = b)::int order by b)
          from generate_series(0, ${RUNTIME_BUCKETS - 1}) b)
       from (select queue, kind, count(*)::int as n, coalesce(round(sum(runtime_ms)), 0)::bigint as ms_sum,
               count(runtime_ms)::int as ms_n
             from ${source} group by queue, kind) g
       order by g.queue, g.kind
       on conflict (bucket, queue, kind) do update set
         completed = r.completed + excluded.completed,
         runtime_ms_sum = r.runtime_ms_sum + excluded.runtime_ms_sum,
         runtime_count = r.runtime_count + excluded.runtime_count,
         runtime_hist = ${addArraysSql("r.runtime_hist", "excluded.runtime_hist")}`;
}

/**
 * A CTE body that upserts the failures/cancellations in `source` (columns queue, kind, state:
 * the state the attempt left the job in — failed, dead or cancelled).
 */
export function rollupFailuresSql(source: string): string {
  return `insert into job_rollups as r (bucket, queue, kind, failed, dead, cancelled)
       select date_trunc('minute', now()), queue, kind,
         count(*) filter (where state in ('failed', 'dead'))::int,
         count(*) filter (where state = 'dead')::int,
         count(*) filter (where state = 'cancelled')::int
       from ${source} group by queue, kind order by queue, kind
       on conflict (bucket, queue, kind) do update set
         failed = r.failed + excluded.failed,
         dead = r.dead + excluded.dead,
         cancelled = r.cancelled + excluded.cancelled`;
}

// ---------------------------------------------------------------------------------------------
// Queue depth samples and rollup compaction (run by the maintenance loop's leader).

/**
 * Writes one queue_depth_samples row per queue with active jobs for the current minute, unless
 * that minute was sampled already. Counts come from the job counters, the scheduled ones from
 * jobs_pending_run_at_idx, in one statement (one snapshot): ready = pending − scheduled, exact,
 * without reading a backlog. Returns the number of rows written (0 when the minute was already sampled).
 */
export async function sampleQueueDepth(q: Sql): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `with minute as (select date_trunc('minute', now()) as b),
     qs as (
       select queue, coalesce(sum(n) filter (where state = 'pending'), 0) as pending,
         coalesce(sum(n) filter (where state = 'running'), 0) as running,
         coalesce(sum(n) filter (where state = 'failed'), 0) as retrying
       from (${JOB_COUNTS_SQL}) c where state in ('pending', 'running', 'failed') group by queue),
     active as (
       select qs.queue, qs.pending - s.n as ready, s.n as scheduled, qs.running, qs.retrying
       from qs cross join lateral (
         select count(*) as n from jobs j where j.state = 'pending' and j.queue = qs.queue and j.run_at > now()) s),
     ins as (
       insert into queue_depth_samples (bucket, queue, ready, scheduled, running, retrying)
       select (select b from minute), queue, sum(ready), sum(scheduled), sum(running), sum(retrying)
       from active
       where not exists (select 1 from queue_depth_samples s where s.bucket = (select b from minute))
       group by queue
       on conflict (bucket, queue) do nothing
       returning 1)
     select count(*)::int as n from ins`,
  );
  return rows[0]?.n ?? 0;
}

/**
 * Merges the per-minute rollup rows of whole hours older than `olderThanHours` into one row per
 * (hour, queue, kind), at most `maxHours` hours per call. Sums stay exact; only the time
 * resolution of old history drops to one hour. Returns the number of minute rows merged away.
 */
export async function compactRollups(q: Sql, { olderThanHours = 26, maxHours = 48 } = {}): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `with hours as (
       select distinct date_trunc('hour', bucket) as h from job_rollups
       where bucket >= date_trunc('hour', now()) - interval '8 days'
         and bucket < date_trunc('hour', now()) - make_interval(hours => $1)
         and bucket <> date_trunc('hour', bucket)
       order by 1 limit $2),
     moved as (
       delete from job_rollups r using hours
       where r.bucket > hours.h and r.bucket < hours.h + interval '1 hour'
       returning hours.h, r.queue, r.kind, r.completed, r.failed, r.dead, r.cancelled,
         r.runtime_ms_sum, r.runtime_count, r.runtime_hist),
     hist as (
       select h, queue, kind, array_agg(s order by i) as runtime_hist
       from (select h, queue, kind, i, sum(x)::int as s
             from moved, unnest(runtime_hist) with ordinality as u(x, i) group by 1, 2, 3, 4) e
       group by 1, 2, 3),
     sums as (
       select h, queue, kind, sum(completed)::int as completed, sum(failed)::int as failed,
         sum(dead)::int as dead, sum(cancelled)::int as cancelled,
         sum(runtime_ms_sum)::bigint as runtime_ms_sum, sum(runtime_count)::int as runtime_count, count(*) as n
       from moved group by 1, 2, 3),
     ins as (
       insert into job_rollups as r (bucket, queue, kind, completed, failed, dead, cancelled, runtime_ms_sum, runtime_count, runtime_hist)
       select s.h, s.queue, s.kind, s.completed, s.failed, s.dead, s.cancelled, s.runtime_ms_sum, s.runtime_count,
         coalesce(hist.runtime_hist, '{}')
       from sums s left join hist using (h, queue, kind)
       order by s.h, s.queue, s.kind
       on conflict (bucket, queue, kind) do update set
         completed = r.completed + excluded.completed,
         failed = r.failed + excluded.failed,
         dead = r.dead + excluded.dead,
         cancelled = r.cancelled + excluded.cancelled,
         runtime_ms_sum = r.runtime_ms_sum + excluded.runtime_ms_sum,
         runtime_count = r.runtime_count + excluded.runtime_count,
         runtime_hist = ${addArraysSql("r.runtime_hist", "excluded.runtime_hist")})
     select coalesce(sum(n), 0)::int as n from sums`,
    [olderThanHours, maxHours],
  );
  return rows[0]?.n ?? 0;
}
