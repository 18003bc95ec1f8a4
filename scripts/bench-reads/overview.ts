// Seeds the overview's history for the read benchmark: 7 days of per-minute job_rollups for every
// (queue, kind) of the seeded jobs (runtime histograms included), compacted into hourly rows past
// 26 hours exactly as the workers' maintenance loop does, and one queue_depth_samples row per
// queue per minute. Then the overview (lib/queries/overview getOverview) is timed per range.
import type pg from "pg";
import { type Database, openDatabase } from "../../db/client";
import { compactRollups } from "../../lib/queue/rollups";
import { KINDS } from "./seed";

export async function seedOverviewHistory(c: pg.Client, url: string, log: (s: string) => void): Promise<{ rollupRows: number; compacted: number; samples: number; compactSeconds: number }> {
  const t0 = performance.now();
  // Same kind → queue mapping as seed.ts.
  const pairs = KINDS.map((kind, i) => ({ kind, queue: i + 1 === 1 ? "mail" : i + 1 === 2 || i + 1 === 6 ? "media" : "default", center: 14 + 3 * i }));
  await c.query(
    `insert into job_rollups (bucket, queue, kind, completed, failed, dead, cancelled, runtime_ms_sum, runtime_count, runtime_hist)
     select m.bucket, p.queue, p.kind, m.c, m.f, m.d, 0, m.c * p.center * 40, m.c,
       array(select (case when b between p.center - 3 and p.center + 3 then m.c / 7 + case when b = p.center then m.c % 7 else 0 end else 0 end)::int
             from generate_series(0, 47) b)
     from jsonb_to_recordset($1::jsonb) as p(queue text, kind text, center int)
     cross join lateral (
       select date_trunc('minute', now()) - g * interval '1 minute' as bucket,
         (8 + random() * 16)::int as c, (random() * 2)::int as f, (random() < 0.1)::int as d
       from generate_series(0, 7 * 1440 - 1) g) m`,
    [JSON.stringify(pairs)],
  );
  const [{ n: rollupRows }] = (await c.query<{ n: number }>("select count(*)::int as n from job_rollups")).rows;
  log(`  job_rollups: ${rollupRows.toLocaleString("en-US")} minute rows (7 days × ${pairs.length} queue/kind pairs): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const tc = performance.now();
  const db: Database = await openDatabase({ databaseUrl: url, max: 1, applicationName: "jobdeck-bench-compact" });
  let compacted = 0;
  try {
    compacted = await db.tx((q) => compactRollups(q, { maxHours: 24 * 8 }));
  } finally {
    await db.close();
  }
  const compactSeconds = (performance.now() - tc) / 1000;
  const [{ n: left }] = (await c.query<{ n: number }>("select count(*)::int as n from job_rollups")).rows;
  log(`  compaction (the maintenance loop's compactRollups: minute rows older than 26 h → one row per hour): ${compacted.toLocaleString("en-US")} minute rows merged away in ${compactSeconds.toFixed(1)} s; ${left.toLocaleString("en-US")} rows left`);
  const t1 = performance.now();
  await c.query(
    `insert into queue_depth_samples (bucket, queue, ready, scheduled, running, retrying)
     select date_trunc('minute', now()) - g * interval '1 minute', q, (random() * 3000)::int, (random() * 800)::int, (random() * 300)::int, (random() * 3000)::int
     from generate_series(0, 7 * 1440 - 1) g, unnest(array['default', 'mail', 'media']) q`,
  );
  const [{ n: samples }] = (await c.query<{ n: number }>("select count(*)::int as n from queue_depth_samples")).rows;
  await c.query("vacuum analyze job_rollups, queue_depth_samples");
  log(`  queue_depth_samples: ${samples.toLocaleString("en-US")} rows: ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  return { rollupRows: left, compacted, samples, compactSeconds };
}
