// Retention at scale for the read benchmark (issue 13, item 5): a day of finished jobs expires —
// retention runs with olderThanDays = 6 on the 7-day seed, so the oldest seventh of the completed
// jobs goes — and the maintenance loop's call (deleteExpiredJobs: 10 batches of 1,000, one
// transaction each) runs back to back until nothing is left (or `capSeconds`), while a probe
// worker claims. Prints the claim latency before and during, and the delete rate.
import type { Database } from "../../db/client";
import { deleteExpiredJobs } from "../../lib/queue/retention";
import { ms, type Stats, stats } from "./measure";
import { probeClaims, probeFor, type ProbeResult } from "./probe";

export const RETENTION_CLAIM_P95_TARGET = 50;

export interface RetentionBench {
  expiring: number;
  deleted: number;
  seconds: number;
  finished: boolean;
  jobs_per_second: number;
  /** One deleteExpiredJobs call (up to 10 batches). */
  call: Stats;
  claim_before: Stats;
  claim_during: Stats;
  claims_during: number;
  ok: boolean;
}

export async function benchRetention(db: Database, probeDb: Database, workerId: string, capSeconds: number, log: (s: string) => void): Promise<RetentionBench> {
  const olderThanDays = 6;
  const [{ n: expiring }] = await db.query<{ n: number }>(
    `select count(*)::int as n from jobs
     where finished_at < now() - make_interval(days => $1) and state in ('completed', 'cancelled') and campaign_id is null`,
    [olderThanDays],
  );
  const before = await probeFor(probeDb, workerId, 3_000);
  const stop = { done: false };
  const during: Promise<ProbeResult> = probeClaims(probeDb, workerId, stop);
  const calls: number[] = [];
  let deleted = 0;
  let finished = false;
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < capSeconds * 1000) {
      const t = performance.now();
      const r = await deleteExpiredJobs(db, { olderThanDays });
      calls.push(performance.now() - t);
      deleted += r.deleted;
      if (!r.deleted) {
        finished = true;
        break;
      }
    }
  } finally {
    stop.done = true;
  }
  const seconds = (performance.now() - t0) / 1000;
  const probe = await during;
  const call = stats(calls);
  const ok = probe.claim.p95 <= RETENTION_CLAIM_P95_TARGET;
  log(`  ${expiring.toLocaleString("en-US")} completed jobs finished more than ${olderThanDays} days ago (a day of the 7-day seed)`);
  log(
    `  deleteExpiredJobs × ${calls.length} (10 batches of 1,000 each, as the maintenance loop calls it): ${deleted.toLocaleString("en-US")} deleted in ${seconds.toFixed(1)} s ` +
      `(${Math.round(deleted / seconds).toLocaleString("en-US")} jobs/s; one call p50 ${ms(call.p50)} ms, p95 ${ms(call.p95)} ms)${finished ? "" : ` — stopped at the ${capSeconds} s cap, ${Math.round((100 * deleted) / Math.max(1, expiring))}% done`}`,
  );
  log(`  claim (limit 1) before: p50 ${ms(before.claim.p50)} ms, p95 ${ms(before.claim.p95)} ms (${before.claim.n} claims)`);
  log(
    `  claim (limit 1) during: p50 ${ms(probe.claim.p50)} ms, p95 ${ms(probe.claim.p95)} ms, max ${ms(probe.claim.max)} ms (${probe.claim.n} claims, ${probe.claimed} jobs completed) — target p95 ≤ ${RETENTION_CLAIM_P95_TARGET} ms: ${ok ? "ok" : "MISSED"}`,
  );
  return {
    expiring,
    deleted,
    seconds,
    finished,
    jobs_per_second: deleted / seconds,
    call,
    claim_before: before.claim,
    claim_during: probe.claim,
    claims_during: probe.claim.n,
    ok,
  };
}
