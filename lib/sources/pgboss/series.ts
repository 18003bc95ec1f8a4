// Charts from pg-boss's own timestamps: jobs that completed or failed for good in each interval
// (by completed_on) and the runtime percentiles of the completed ones. pg-boss 12.x indexes
// (name, completed_on), so each queue's range is an index range scan. pg-boss 10.x has no such
// index (and archives finished jobs after 12 h), so it has no charts here until the sampler.
// Failed attempts that were retried leave no timestamp: `failed` counts terminal failures only.
import { OVERVIEW_RANGES, type OverviewRange, type OverviewSeries, type SeriesPoint } from "../../queries/rollups";
import type { PgBossContext } from "./context";

const ORIGIN = "timestamptz '2000-01-01 00:00:00+00'";

function firstBin(nowMs: number, range: OverviewRange): number {
  const { seconds, stepSeconds } = OVERVIEW_RANGES[range];
  const origin = Date.UTC(2000, 0, 1);
  const step = stepSeconds * 1000;
  return origin + Math.floor((nowMs - seconds * 1000 + step - origin) / step) * step;
}

export async function readSeries(ctx: PgBossContext, range: OverviewRange): Promise<OverviewSeries | null> {
  const s = await ctx.schema();
  if (s.family !== "v12") return null;
  const { stepSeconds } = OVERVIEW_RANGES[range];
  const [clock] = await ctx.db.query<{ now: number }>("select (extract(epoch from now()) * 1000)::float8 as now");
  const nowMs = Number(clock.now);
  const start = firstBin(nowMs, range);
  const rows = await ctx.db.query<{ t: number; completed: number; dead: number; p50: number | null; p95: number | null }>(
    `select (extract(epoch from date_bin($1::interval, x.completed_on, ${ORIGIN})) * 1000)::float8 as t,
       count(*) filter (where x.state = 'completed')::int as completed,
       count(*) filter (where x.state = 'failed')::int as dead,
       percentile_cont(0.5) within group (order by x.ms) filter (where x.state = 'completed')::float8 as p50,
       percentile_cont(0.95) within group (order by x.ms) filter (where x.state = 'completed')::float8 as p95
     from ${s.name}.queue q cross join lateral (
       select j.state, j.completed_on, extract(epoch from j.completed_on - j.started_on) * 1000 as ms
       from ${s.name}.job j where j.name = q.name and j.completed_on >= to_timestamp($2::float8 / 1000) and j.state in ('completed', 'failed')) x
     group by 1 order by 1`,
    [`${stepSeconds} seconds`, start],
  );
  const byT = new Map(rows.map((r) => [Number(r.t), r]));
  const points: SeriesPoint[] = [];
  for (let t = start; t <= nowMs; t += stepSeconds * 1000) {
    const r = byT.get(t);
    const completed = Number(r?.completed ?? 0);
    const failed = Number(r?.dead ?? 0);
    points.push({
      t,
      completed,
      failed,
      dead: failed,
      failureRate: completed + failed > 0 ? failed / (completed + failed) : null,
      p50Ms: r?.p50 == null ? null : Number(r.p50),
      p95Ms: r?.p95 == null ? null : Number(r.p95),
    });
  }
  return { range, stepSeconds, points, depth: points.map((p) => ({ t: p.t, ready: null, scheduled: null, running: null, retrying: null })), depthSamples: 0 };
}
