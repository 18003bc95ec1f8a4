// Claim: lock ready jobs with FOR UPDATE SKIP LOCKED, open an attempt row for each, and hand
// out a lease. The attempt row's id is the fencing token for everything the worker does next.
import type { Sql } from "../../db/client";
import { sourceStatesSql } from "./state-machine";

export interface ClaimedJob {
  id: number;
  kind: string;
  queue: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
  attemptId: number;
  campaignId: number | null;
  parentId: number | null;
  itemKey: string | null;
  position: number | null;
  lockedUntil: Date;
}

export interface ClaimOptions {
  workerId: string;
  /** Queues to claim from; empty or undefined claims from every queue. */
  queues?: readonly string[];
  /** Only jobs of these kinds (the kinds the worker has handlers for); undefined: any kind. */
  kinds?: readonly string[];
  limit: number;
  leaseSeconds: number;
}

const CLAIMABLE = sourceStatesSql("claim");

// Queues an operator paused (lib/queue/queue-controls.ts): no claim takes their jobs.
const PAUSED = "select queue from queue_controls where paused_at is not null";

// Queues with ready or retrying jobs, one probe of jobs_claim_queue_idx per queue (a loose
// index scan), whatever their backlogs.
const CLAIMABLE_QUEUES = `with recursive rq(name) as (
    (select queue from jobs where state in ${CLAIMABLE} order by queue limit 1)
    union all
    select (select queue from jobs where state in ${CLAIMABLE} and queue > rq.name order by queue limit 1) from rq where rq.name is not null)
  select name from rq where name is not null`;

// One queue (or all queues) walks the claim index in order; several queues take the best
// `limit` of each queue's head, so each lookup stays an ordered index scan. While a queue is
// paused, "all queues" is every other queue that has claimable jobs, taken the same way:
// walking one index past a paused queue's backlog row by row would read all of it per claim.
// Which branch runs is decided once per statement (an uncorrelated EXISTS is a one-time filter).
function pickSql(opts: ClaimOptions, param: (value: unknown) => string): string {
  // "desc nulls last" spells out the claim indexes' order (drizzle's .desc() creates them
  // DESC NULLS LAST; a bare "desc" means NULLS FIRST). Without it no index matches the ORDER BY
  // and every claim sorts all ready jobs. priority is NOT NULL, so the order is the same.
  const order = "order by priority desc nulls last, run_at, id";
  const kind = opts.kinds ? ` and kind = any(${param(opts.kinds)}::text[])` : "";
  const ready = `state in ${CLAIMABLE} and run_at <= now()${kind}`;
  const perQueue = (queuesSql: string) => `select p.id, p.priority, p.run_at from (${queuesSql}) as qn(name)
          cross join lateral (
            select id, priority, run_at from jobs
            where ${ready} and queue = qn.name
            ${order} limit $2 for update skip locked) p`;
  const queues = opts.queues ?? [];
  if (!queues.length) {
    return `select id from (
        select id, priority, run_at from (select id, priority, run_at from jobs where ${ready} and not exists (${PAUSED}) ${order} limit $2 for update skip locked) a
        union all
        ${perQueue(`select name from (${CLAIMABLE_QUEUES}) c where exists (${PAUSED}) and name not in (${PAUSED})`)}) x
      ${order} limit $2`;
  }
  if (queues.length === 1) {
    const queue = param(queues[0]);
    return `select id from jobs where ${ready} and queue = ${queue}::text
      and not exists (select 1 from queue_controls c where c.queue = ${queue}::text and c.paused_at is not null)
      ${order} limit $2 for update skip locked`;
  }
  return `select id from (${perQueue(`select name from unnest(${param(queues)}::text[]) as u(name) where name not in (${PAUSED})`)}) x
          ${order} limit $2`;
}

export async function claim(q: Sql, opts: ClaimOptions): Promise<ClaimedJob[]> {
  if (opts.limit <= 0) return [];
  const params: unknown[] = [opts.workerId, opts.limit, opts.leaseSeconds];
  const param = (value: unknown) => `$${params.push(value)}`;
  const rows = await q.query<ClaimedJob>(
    `with picked as (${pickSql(opts, param)}),
     opened as (
       insert into job_attempts (job_id, attempt, worker_id)
       select j.id, j.attempts + 1, $1 from jobs j join picked using (id)
       returning id, job_id, attempt)
     update jobs j set state = 'running', attempts = o.attempt, attempt_id = o.id, locked_by = $1,
       locked_until = now() + make_interval(secs => $3), started_at = now(), heartbeat_at = now(),
       finished_at = null, progress = null, progress_message = null
     from opened o where j.id = o.job_id
     returning j.id, j.kind, j.queue, j.payload, j.attempts as "attempt", j.max_attempts as "maxAttempts",
       j.attempt_id as "attemptId", j.campaign_id as "campaignId", j.parent_id as "parentId",
       j.item_key as "itemKey", j.position, j.locked_until as "lockedUntil"`,
    params,
  );
  return rows.sort((a, b) => a.id - b.id);
}
