// Depth history for foreign sources. Their libraries keep no history Jobdeck could chart, so once
// a minute one app process (leader by pg_try_advisory_xact_lock, as the workers' maintenance
// loop elects its leaders) asks each foreign source for its summary and writes one row per queue
// into source_depth_samples in the control database. sampledDepth() turns the samples into the
// overview's depth series; samples older than JOBDECK_ROLLUP_RETENTION_DAYS are dropped.
import type { Database, Sql } from "../../db/client";
import { type DepthPoint, firstBin, OVERVIEW_RANGES, type OverviewRange } from "../queries/rollups";
import type { Source } from "./types";

export const SOURCE_SAMPLE_LOCK_KEY = 7_311_290_451;
const ORIGIN = "timestamptz '2000-01-01 00:00:00+00'";

export interface SampleResult {
  leader: boolean;
  /** Rows written per source (a source already sampled this minute, or unreachable, writes none). */
  written: Record<string, number>;
  errors: Record<string, string>;
}

/**
 * One sampling pass over the foreign sources. The sampling lock is held only while deciding who
 * samples what: the summaries run outside any control transaction, because a source in the
 * embedded database shares its one connection with the control database (a summary inside the
 * transaction would wait for it forever). Two replicas that both decide in the same minute write
 * the same rows once (the primary key), so the worst case is one wasted summary.
 */
export async function sampleSourcesOnce(control: Database, sources: readonly Source[]): Promise<SampleResult> {
  const foreign = sources.filter((s) => s.kind !== "jobdeck");
  if (!foreign.length) return { leader: false, written: {}, errors: {} };
  const due = await control.tx(async (q) => {
    const [{ locked }] = await q.query<{ locked: boolean }>("select pg_try_advisory_xact_lock($1) as locked", [SOURCE_SAMPLE_LOCK_KEY]);
    if (!locked) return null;
    const done = await q.query<{ source: string }>(
      "select distinct source from source_depth_samples where bucket = date_trunc('minute', now()) and source = any($1)",
      [foreign.map((s) => s.name)],
    );
    const sampled = new Set(done.map((d) => d.source));
    return foreign.filter((s) => !sampled.has(s.name));
  });
  const out: SampleResult = { leader: due !== null, written: {}, errors: {} };
  for (const s of due ?? []) {
    try {
      const rows = (await s.summary()).queues;
      const inserted = rows.length
        ? await control.query<{ n: number }>(
            `with ins as (
               insert into source_depth_samples (source, bucket, queue, pending, running, failed)
               select $1, date_trunc('minute', now()), x.queue, x.pending, x.running, x.failed
               from jsonb_to_recordset($2::jsonb) as x(queue text, pending int, running int, failed int)
               on conflict do nothing returning 1)
             select count(*)::int as n from ins`,
            [s.name, JSON.stringify(rows.map((r) => ({ queue: r.queue, pending: r.pending, running: r.running, failed: r.failed })))],
          )
        : [];
      out.written[s.name] = inserted[0]?.n ?? 0;
    } catch (err) {
      out.errors[s.name] = String((err as Error)?.message ?? err).split("\n")[0].slice(0, 200);
    }
  }
  return out;
}

/** Drops samples older than `days`. */
export async function deleteExpiredSourceSamples(q: Sql, days: number): Promise<number> {
  const rows = await q.query<{ n: number }>(
    "with d as (delete from source_depth_samples where bucket < now() - make_interval(days => $1) returning 1) select count(*)::int as n from d",
    [days],
  );
  return rows[0]?.n ?? 0;
}

/** The depth series of one foreign source over a range, from its samples (pending → ready, failed → retrying). */
export async function sampledDepth(q: Sql, source: string, range: OverviewRange): Promise<{ depth: DepthPoint[]; depthSamples: number; now: number }> {
  const { stepSeconds } = OVERVIEW_RANGES[range];
  const [clock] = await q.query<{ now: number }>("select (extract(epoch from now()) * 1000)::float8 as now");
  const now = Number(clock.now);
  const start = firstBin(now, range);
  const rows = await q.query<{ t: number; pending: number; running: number; failed: number; samples: number }>(
    `select (extract(epoch from date_bin($1::interval, bucket, ${ORIGIN})) * 1000)::float8 as t,
       avg(pending)::float8 as pending, avg(running)::float8 as running, avg(failed)::float8 as failed, count(*)::int as samples
     from (select bucket, sum(pending) as pending, sum(running) as running, sum(failed) as failed
           from source_depth_samples where source = $3 and bucket >= to_timestamp($2::float8 / 1000) group by bucket) m
     group by 1 order by 1`,
    [`${stepSeconds} seconds`, start, source],
  );
  const byT = new Map(rows.map((r) => [Number(r.t), r]));
  const depth: DepthPoint[] = [];
  for (let t = start; t <= now; t += stepSeconds * 1000) {
    const d = byT.get(t);
    depth.push({ t, ready: d ? Number(d.pending) : null, scheduled: null, running: d ? Number(d.running) : null, retrying: d ? Number(d.failed) : null });
  }
  return { depth, depthSamples: rows.reduce((n, r) => n + Number(r.samples), 0), now };
}
