// Read model for the overview's history: throughput, failures, runtime percentiles and queue
// depth over 1 h / 24 h / 7 d, and per (queue, kind) rates — read only from job_rollups and
// queue_depth_samples (never from jobs), so they survive retention and stay cheap at any size.
// No `import "server-only"`: `npm run bench` times this module from plain Node (like lib/queries/jobs.ts).
import type { Sql } from "@/db/client";
import { RUNTIME_BUCKETS, histogramQuantile, mergeHistograms } from "../queue/rollups";

export const OVERVIEW_RANGES = {
  "1h": { label: "last hour", seconds: 3_600, stepSeconds: 60, stepLabel: "per minute" },
  "24h": { label: "last 24 h", seconds: 86_400, stepSeconds: 900, stepLabel: "per 15 min" },
  "7d": { label: "last 7 days", seconds: 7 * 86_400, stepSeconds: 7_200, stepLabel: "per 2 h" },
} as const;
export type OverviewRange = keyof typeof OVERVIEW_RANGES;
export const DEFAULT_OVERVIEW_RANGE: OverviewRange = "24h";

export function parseOverviewRange(v: unknown): OverviewRange {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === "string" && s in OVERVIEW_RANGES ? (s as OverviewRange) : DEFAULT_OVERVIEW_RANGE;
}

/** One interval of the charts. Runtime percentiles are null when nothing completed in it. */
export interface SeriesPoint {
  /** Start of the interval, epoch ms. */
  t: number;
  completed: number;
  failed: number;
  dead: number;
  /** failed / (completed + failed) attempts, 0..1; null with no attempts. */
  failureRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface DepthPoint {
  t: number;
  /** Average over the interval's minute samples; null when no sample fell in the interval. */
  ready: number | null;
  scheduled: number | null;
  running: number | null;
  retrying: number | null;
}

export interface OverviewSeries {
  range: OverviewRange;
  stepSeconds: number;
  points: SeriesPoint[];
  depth: DepthPoint[];
  /** Minute samples of queue depth in the range: 0 means no maintenance loop ran. */
  depthSamples: number;
}

const num = (v: unknown) => (v == null ? 0 : Number(v));
const histColumns = Array.from({ length: RUNTIME_BUCKETS }, (_, i) => `sum(runtime_hist[${i + 1}])::int as h${i}`).join(", ");
const histOf = (row: Record<string, unknown>) => Array.from({ length: RUNTIME_BUCKETS }, (_, i) => num(row[`h${i}`]));
const ORIGIN = "timestamptz '2000-01-01 00:00:00+00'";

/** Start of the first interval, in epoch ms, aligned like date_bin(step, t, 2000-01-01 UTC). */
export function firstBin(nowMs: number, range: OverviewRange): number {
  const { seconds, stepSeconds } = OVERVIEW_RANGES[range];
  const origin = Date.UTC(2000, 0, 1);
  const step = stepSeconds * 1000;
  const from = nowMs - seconds * 1000 + step; // the current, partial interval is the last one
  return origin + Math.floor((from - origin) / step) * step;
}

export async function getOverviewSeries({ q, range }: { q: Sql; range: OverviewRange }): Promise<OverviewSeries> {
  const { stepSeconds } = OVERVIEW_RANGES[range];
  const [clock] = await q.query<{ now: number }>("select (extract(epoch from now()) * 1000)::float8 as now");
  const start = firstBin(Number(clock.now), range);
  const step = `${stepSeconds} seconds`;
  const [rollups, depth] = await Promise.all([
    q.query<Record<string, unknown> & { t: number; completed: number; failed: number; dead: number }>(
      `select (extract(epoch from date_bin($1::interval, bucket, ${ORIGIN})) * 1000)::float8 as t,
         sum(completed)::int as completed, sum(failed)::int as failed, sum(dead)::int as dead, ${histColumns}
       from job_rollups where bucket >= to_timestamp($2::float8 / 1000)
       group by 1 order by 1`,
      [step, start],
    ),
    q.query<{ t: number; ready: number; scheduled: number; running: number; retrying: number; samples: number }>(
      `select (extract(epoch from date_bin($1::interval, bucket, ${ORIGIN})) * 1000)::float8 as t,
         avg(ready)::float8 as ready, avg(scheduled)::float8 as scheduled, avg(running)::float8 as running,
         avg(retrying)::float8 as retrying, count(*)::int as samples
       from (select bucket, sum(ready) as ready, sum(scheduled) as scheduled, sum(running) as running, sum(retrying) as retrying
             from queue_depth_samples where bucket >= to_timestamp($2::float8 / 1000) group by bucket) m
       group by 1 order by 1`,
      [step, start],
    ),
  ]);

  const byT = new Map(rollups.map((r) => [Number(r.t), r]));
  const depthByT = new Map(depth.map((r) => [Number(r.t), r]));
  const points: SeriesPoint[] = [];
  const depthPoints: DepthPoint[] = [];
  for (let t = start; t <= Number(clock.now); t += stepSeconds * 1000) {
    const r = byT.get(t);
    const completed = num(r?.completed);
    const failed = num(r?.failed);
    const hist = r ? histOf(r) : [];
    points.push({
      t,
      completed,
      failed,
      dead: num(r?.dead),
      failureRate: completed + failed > 0 ? failed / (completed + failed) : null,
      p50Ms: hist.length ? histogramQuantile(hist, 0.5) : null,
      p95Ms: hist.length ? histogramQuantile(hist, 0.95) : null,
    });
    const d = depthByT.get(t);
    depthPoints.push({
      t,
      ready: d ? num(d.ready) : null,
      scheduled: d ? num(d.scheduled) : null,
      running: d ? num(d.running) : null,
      retrying: d ? num(d.retrying) : null,
    });
  }
  return { range, stepSeconds, points, depth: depthPoints, depthSamples: depth.reduce((n, d) => n + num(d.samples), 0) };
}

/** Rates of one (queue, kind) over a range, from the rollups. */
export interface KindRates {
  queue: string;
  kind: string;
  completed: number;
  failed: number;
  dead: number;
  /** Completed per minute, averaged over the range. */
  perMinute: number;
  failureRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface DeadTrend {
  queue: string;
  kind: string;
  lastHour: number;
  previousHour: number;
}

export async function getKindRates({ q, range }: { q: Sql; range: OverviewRange }): Promise<{ rates: KindRates[]; deadTrend: DeadTrend[] }> {
  const { seconds } = OVERVIEW_RANGES[range];
  const [rows, trend] = await Promise.all([
    q.query<Record<string, unknown> & { queue: string; kind: string; completed: number; failed: number; dead: number }>(
      `select queue, kind, sum(completed)::int as completed, sum(failed)::int as failed, sum(dead)::int as dead, ${histColumns}
       from job_rollups where bucket >= now() - make_interval(secs => $1)
       group by queue, kind order by queue, kind`,
      [seconds],
    ),
    q.query<DeadTrend>(
      `select queue, kind,
         sum(dead) filter (where bucket >= now() - interval '1 hour')::int as "lastHour",
         sum(dead) filter (where bucket < now() - interval '1 hour')::int as "previousHour"
       from job_rollups where bucket >= now() - interval '2 hours' and dead > 0
       group by queue, kind`,
    ),
  ]);
  const rates = rows.map((r) => {
    const hist = mergeHistograms([], histOf(r));
    const completed = num(r.completed);
    const failed = num(r.failed);
    return {
      queue: r.queue,
      kind: r.kind,
      completed,
      failed,
      dead: num(r.dead),
      perMinute: completed / (seconds / 60),
      failureRate: completed + failed > 0 ? failed / (completed + failed) : null,
      p50Ms: histogramQuantile(hist, 0.5),
      p95Ms: histogramQuantile(hist, 0.95),
    };
  });
  return {
    rates,
    deadTrend: trend.map((t) => ({ queue: t.queue, kind: t.kind, lastHour: num(t.lastHour), previousHour: num(t.previousHour) })),
  };
}
