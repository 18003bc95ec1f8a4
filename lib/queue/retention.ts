// Retention: deletes completed and cancelled jobs older than JOBDECK_RETENTION_DAYS (default 7)
// in small batches, oldest first through jobs_finished_at_idx, each batch its own short
// transaction (their job_attempts go with them, on delete cascade), resting between batches as
// long as the last one took (npm run bench: deleting a day of jobs back to back doubled the
// workers' claim p95; with the rest it stays at its baseline). Dead jobs are kept until an
// operator retries or discards them; jobs of a campaign are kept with their campaign (its
// aggregate counts completed children to find gaps). The history the charts need is in
// job_rollups, which outlive the jobs; rollups and depth samples are kept
// JOBDECK_ROLLUP_RETENTION_DAYS (default 90).
import type { Database, Sql } from "../../db/client";

function days(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of days (got "${raw}")`);
  return n;
}

export function retentionConfig() {
  return {
    jobDays: days("JOBDECK_RETENTION_DAYS", 7),
    rollupDays: days("JOBDECK_ROLLUP_RETENTION_DAYS", 90),
  };
}

/** Advisory lock key for "one retention batch at a time" across every worker. */
export const RETENTION_LOCK_KEY = 7_311_290_442;

export interface RetentionResult {
  deleted: number;
  batches: number;
  /** False when another process held the retention lock (it is doing the work). */
  ran: boolean;
}

/**
 * Deletes up to `maxBatches` × `batchSize` expired jobs. Stops early when a batch comes back
 * short (nothing more to delete) or when another process holds the retention lock.
 */
export async function deleteExpiredJobs(
  db: Database,
  {
    olderThanDays = retentionConfig().jobDays,
    batchSize = 1_000,
    maxBatches = 10,
  }: { olderThanDays?: number; batchSize?: number; maxBatches?: number } = {},
): Promise<RetentionResult> {
  let deleted = 0;
  let batches = 0;
  // Dead and campaign jobs are skipped, not deleted: remember where the last batch ended so the
  // next one does not walk past them again.
  let after: Date | null = null;
  let lastMs = 0;
  for (let b = 0; b < maxBatches; b++) {
    // Between batches, rest as long as the last one took: deleting never holds more than half of
    // the database's time (its WAL and CPU) against the workers' claims.
    if (b > 0) await new Promise((r) => setTimeout(r, lastMs));
    const started = performance.now();
    const out: { locked: boolean; n: number; last: Date | null } = await db.tx(async (q) => {
      const [{ locked }] = await q.query<{ locked: boolean }>("select pg_try_advisory_xact_lock($1) as locked", [RETENTION_LOCK_KEY]);
      if (!locked) return { locked: false, n: 0, last: null };
      const [r] = await q.query<{ n: number; last: Date | null }>(
        `with victims as (
           select id from jobs
           where finished_at < now() - make_interval(secs => $1::float8 * 86400)
             and ($3::timestamptz is null or finished_at >= $3::timestamptz)
             and state in ('completed', 'cancelled') and campaign_id is null
           order by finished_at limit $2
           for update skip locked),
         gone as (delete from jobs j using victims v where j.id = v.id returning j.finished_at)
         select count(*)::int as n, max(finished_at) as last from gone`,
        [olderThanDays, batchSize, after],
      );
      return { locked: true, n: r.n, last: r.last };
    });
    lastMs = performance.now() - started;
    if (!out.locked) return { deleted, batches, ran: batches > 0 };
    batches++;
    deleted += out.n;
    if (out.n < batchSize) break;
    after = out.last;
  }
  return { deleted, batches, ran: true };
}

/** Deletes rollups and depth samples older than `olderThanDays`, at most `limit` rows of each. */
export async function deleteExpiredRollups(
  q: Sql,
  { olderThanDays = retentionConfig().rollupDays, limit = 10_000 }: { olderThanDays?: number; limit?: number } = {},
): Promise<number> {
  const [r] = await q.query<{ n: number }>(
    `with r as (
       delete from job_rollups where ctid = any(array(
         select ctid from job_rollups where bucket < now() - make_interval(secs => $1::float8 * 86400) limit $2))
       returning 1),
     s as (
       delete from queue_depth_samples where ctid = any(array(
         select ctid from queue_depth_samples where bucket < now() - make_interval(secs => $1::float8 * 86400) limit $2))
       returning 1)
     select (select count(*) from r)::int + (select count(*) from s)::int as n`,
    [olderThanDays, limit],
  );
  return r.n;
}
