// A week of chart history for the demo, so the overview's 24 h and 7 d charts show a real shape
// (a daily cycle, a noisy failure rate, one bad hour of webhooks) rather than one recent spike.
// Writes only the charts' own tables — job_rollups (per minute for the last day, per hour before,
// as compaction would have left them) and queue_depth_samples — and stops 15 minutes before now,
// where the live demo workers take over. Once only: called with the one-time history seed.
import type { Sql } from "../../db/client";
import { RUNTIME_BUCKETS, runtimeBucketOf } from "../queue/rollups";

// queue, kind, completions per minute at the daily peak, typical runtime (ms), failure share, dead share of failures
const KINDS: [string, string, number, number, number, number][] = [
  ["default", "send_email", 14, 180, 0.02, 0.3],
  ["default", "deliver_webhook", 9, 260, 0.06, 0.25],
  ["default", "index_document", 5, 300, 0.03, 0.2],
  ["media", "resize_image", 4, 1_600, 0.04, 0.5],
  ["reports", "generate_report", 0.4, 4_500, 0.02, 0.5],
];

/** The histogram with `count` runtimes in the bucket of `ms` (a compact stand-in for a spread). */
function histogramSql(ms: number): string {
  const b = runtimeBucketOf(ms);
  const parts = [b > 0 ? `array_fill(0, array[${b}])` : `'{}'::int[]`, `array[c]`, b < RUNTIME_BUCKETS - 1 ? `array_fill(0, array[${RUNTIME_BUCKETS - 1 - b}])` : `'{}'::int[]`];
  return parts.join(" || ");
}

export async function seedChartHistory(q: Sql): Promise<void> {
  for (const [queue, kind, peak, ms, failShare, deadShare] of KINDS) {
    for (const [step, from, to, scale] of [
      ["1 minute", "interval '24 hours'", "interval '15 minutes'", 1],
      ["1 hour", "interval '7 days'", "interval '25 hours'", 60],
    ] as const) {
      // A daily sine (quiet at night UTC), ±30% noise, and webhooks failing hard 5–6 hours ago.
      await q.query(
        `insert into job_rollups (bucket, queue, kind, completed, failed, dead, cancelled, runtime_ms_sum, runtime_count, runtime_hist)
         select b, $1, $2, c, f, d, 0, c * $4::int, c, ${histogramSql(ms)}
         from generate_series(date_trunc('${step === "1 hour" ? "hour" : "minute"}', now()) - ${from},
                              date_trunc('minute', now()) - ${to}, interval '${step}') as b
         cross join lateral (
           select greatest(0, round($3::float8 * $7::int * (0.55 + 0.45 * sin(extract(epoch from b) / 86400.0 * 2 * pi() - 1.2))
                                    * (0.7 + random() * 0.6)))::int as c,
                  case when $2 = 'deliver_webhook' and b between now() - interval '6 hours' and now() - interval '5 hours' then 0.35 else $5::float8 end as fr
         ) x
         cross join lateral (select round(c * fr * (0.5 + random()))::int as f) y
         cross join lateral (select round(f * $6::float8)::int as d) z
         on conflict do nothing`,
        [queue, kind, peak, ms, failShare, deadShare, scale],
      );
    }
  }
  await q.query(
    `insert into queue_depth_samples (bucket, queue, ready, scheduled, running, retrying, sampled_at)
     select b, s.queue,
            greatest(0, round(s.base * (0.6 + 0.4 * sin(extract(epoch from b) / 86400.0 * 2 * pi() - 1.2)) * (0.8 + random() * 0.4)))::int,
            round(s.base * 0.1 * random())::int, s.running, round(random() * s.retry)::int, b
     from generate_series(date_trunc('minute', now()) - interval '24 hours', date_trunc('minute', now()) - interval '15 minutes', interval '1 minute') as b
     cross join (values ('default', 120, 9, 4), ('media', 25, 2, 2), ('reports', 4, 1, 1)) as s(queue, base, running, retry)
     on conflict do nothing`,
  );
}
