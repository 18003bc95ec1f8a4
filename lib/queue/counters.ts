// Job counts by (queue, kind, state), and by campaign, that never scan jobs. Why: at 10M jobs, or
// with a million-job backlog, count(*) makes every overview, summary and /api/v1/stats call cost
// O(jobs). Statement-level triggers on jobs (migration 0008_job_counters) append each
// statement's netted deltas to job_count_deltas in the writer's own transaction, so every path —
// claim, finish, operator actions, recovery, retention, a rollback, code added later — is counted
// by construction. Appends contend on no row (a single counter row would serialise every worker);
// the maintenance loop folds them into job_counts / campaign_job_counts, and a read is totals
// plus the deltas not yet folded, under one snapshot, so it is exact at every instant. The drift
// check (lib/queue/counter-check.ts) compares with count(*) now and then and repairs.
import type { Database, Sql } from "../../db/client";
import type { JobState } from "./state-machine";

/**
 * Seconds between timed folds (workers and the app server): JOBDECK_COUNTER_FOLD_SECONDS, default
 * 2. Zero or anything not a positive number turns the timer off (a worker's tick still folds).
 */
export function counterFoldSeconds(): number {
  const raw = Number(process.env.JOBDECK_COUNTER_FOLD_SECONDS ?? 2);
  return raw > 0 ? raw : 0;
}

/** Advisory lock key: one fold at a time (a second would only wait on the first's rows). */
export const COUNTER_FOLD_LOCK_KEY = 7_311_290_445;

export interface JobCountRow {
  queue: string;
  kind: string;
  state: JobState;
  n: number;
}

/** Every non-zero (queue, kind, state) count, exact. Cost: the totals plus the unfolded deltas. */
export const JOB_COUNTS_SQL = `select queue, kind, state, sum(n)::bigint as n from (
    select queue, kind, state, n from job_counts
    union all select queue, kind, state, n from job_count_deltas) c
  group by queue, kind, state having sum(n) <> 0`;

export async function readJobCounts(q: Sql): Promise<JobCountRow[]> {
  const rows = await q.query<JobCountRow>(JOB_COUNTS_SQL);
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Count of one state over every queue and kind. */
export function countState(rows: readonly JobCountRow[], state: JobState): number {
  return rows.reduce((sum, r) => (r.state === state ? sum + r.n : sum), 0);
}

/**
 * Pending jobs per queue whose run_at is still ahead (by kind), and the oldest ready run_at per
 * queue, both through jobs_pending_run_at_idx: per queue one index probe for the oldest and a
 * range scan of the scheduled ones only, so a ready backlog of any size is never read.
 * Ready = pending (from the counters) − scheduled. `$1`: the queues that have pending jobs.
 */
export const PENDING_TIMING_SQL = `select x.queue, s.kind, coalesce(s.n, 0)::bigint as scheduled,
    (select extract(epoch from now() - j.run_at)::float8 from jobs j
     where j.state = 'pending' and j.queue = x.queue and j.run_at <= now() order by j.run_at limit 1) as oldest
  from unnest($1::text[]) as x(queue)
  left join lateral (
    select j.kind, count(*) as n from jobs j
    where j.state = 'pending' and j.queue = x.queue and j.run_at > now() group by j.kind) s on true`;

export interface PendingTiming {
  /** Scheduled (run_at in the future) pending jobs by queue and kind. */
  scheduled: Map<string, number>;
  /** Seconds the oldest ready job of each queue has waited past its run_at (queues with a ready job only). */
  oldestByQueue: Map<string, number>;
}

export const queueKindKey = (queue: string, kind: string) => JSON.stringify([queue, kind]);

export async function readPendingTiming(q: Sql, counts: readonly JobCountRow[]): Promise<PendingTiming> {
  const queues = [...new Set(counts.filter((r) => r.state === "pending").map((r) => r.queue))];
  const scheduled = new Map<string, number>();
  const oldestByQueue = new Map<string, number>();
  if (!queues.length) return { scheduled, oldestByQueue };
  const rows = await q.query<{ queue: string; kind: string | null; scheduled: number; oldest: number | null }>(PENDING_TIMING_SQL, [queues]);
  for (const r of rows) {
    if (r.kind != null) scheduled.set(queueKindKey(r.queue, r.kind), Number(r.scheduled));
    if (r.oldest != null) oldestByQueue.set(r.queue, Math.max(0, Number(r.oldest)));
  }
  return { scheduled, oldestByQueue };
}

export interface CampaignCountRow {
  campaign_id: number;
  /** An item job (parent_id set); false: a batch job. */
  child: boolean;
  state: JobState;
  n: number;
}

/** The campaigns' jobs by (batch or item, state), exact; states with none are absent. */
export async function readCampaignCounts(q: Sql, campaignIds: readonly number[]): Promise<CampaignCountRow[]> {
  if (!campaignIds.length) return [];
  const rows = await q.query<CampaignCountRow>(
    `select campaign_id, child, state, sum(n)::bigint as n from (
       select campaign_id, child, state, n from campaign_job_counts where campaign_id = any($1::bigint[])
       union all select campaign_id, child, state, n from job_count_deltas where campaign_id = any($1::bigint[])) c
     group by campaign_id, child, state having sum(n) <> 0`,
    [campaignIds],
  );
  return rows.map((r) => ({ ...r, campaign_id: Number(r.campaign_id), n: Number(r.n) }));
}

/**
 * Moves every delta this statement sees into the totals, in one statement: the delete and both
 * upserts share a snapshot and commit together, so readers see each delta exactly once. Deltas
 * of transactions still open stay for the next fold. Returns the deltas folded.
 */
export async function foldJobCounts(q: Sql): Promise<number> {
  const [r] = await q.query<{ n: number }>(
    `with d as (delete from job_count_deltas returning queue, kind, state, campaign_id, child, n),
     totals as (
       insert into job_counts (queue, kind, state, n)
       select queue, kind, state, sum(n) from d group by queue, kind, state
       on conflict (queue, kind, state) do update set n = job_counts.n + excluded.n),
     campaigns as (
       insert into campaign_job_counts (campaign_id, child, state, n)
       select campaign_id, child, state, sum(n) from d where campaign_id is not null group by campaign_id, child, state
       on conflict (campaign_id, child, state) do update set n = campaign_job_counts.n + excluded.n)
     select count(*)::int as n from d`,
  );
  return r.n;
}

/** One fold under the fold lock; `null` when another process holds it. */
export async function foldOnce(db: Database): Promise<number | null> {
  return db.tx(async (q) => {
    const [{ locked }] = await q.query<{ locked: boolean }>("select pg_try_advisory_xact_lock($1) as locked", [COUNTER_FOLD_LOCK_KEY]);
    return locked ? foldJobCounts(q) : null;
  });
}
