// One job with everything an operator needs to decide: the row, its attempt history, lock
// info with a recovery hint, the worker that holds it, and its campaign, parent and children.
// Every read is by primary key or an index (job_attempts_job_idx, jobs_campaign_idx).
import type { Sql } from "../../db/client";
import { describeRecovery, type Recovery } from "../queue/recovery";
import type { JobState } from "../queue/state-machine";
import { workerOnlineSql } from "./workers";

export interface JobRow {
  id: number;
  queue: string;
  kind: string;
  payload: unknown;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  locked_by: string | null;
  locked_until: Date | null;
  heartbeat_at: Date | null;
  attempt_id: number | null;
  cancel_requested_at: Date | null;
  last_error: string | null;
  result: unknown;
  progress: number | null;
  progress_message: string | null;
  campaign_id: number | null;
  parent_id: number | null;
  item_key: string | null;
  position: number | null;
}

export interface AttemptRow {
  id: number;
  attempt: number;
  worker_id: string;
  started_at: Date;
  finished_at: Date | null;
  outcome: string | null;
  error: string | null;
  /** finished − started, or now − started while the attempt runs. */
  duration_seconds: number;
}

export interface JobWorker {
  id: string;
  hostname: string;
  pid: number;
  online: boolean;
  stopped: boolean;
  heartbeat_age_seconds: number;
}

export interface JobDetail extends Recovery {
  job: JobRow;
  /** The database's clock when the job was read: ages on the page are relative to it. */
  now: Date;
  /** The newest attempts, oldest first (at most `attemptLimit`). */
  attempts: AttemptRow[];
  /** All attempts ever recorded for the job (retries keep the history). */
  attempts_total: number;
  worker_online: boolean | null;
  /** The worker named in locked_by, when it is registered. */
  worker: JobWorker | null;
  campaign: { id: number; name: string; state: string } | null;
  parent: { id: number; kind: string; state: JobState } | null;
  /**
   * Children by state. Children are the items of a campaign batch and carry its campaign id, so
   * they are counted through jobs_campaign_idx; a job outside a campaign has none.
   */
  children: { by_state: Record<string, number>; total: number };
}

export const ACTIVE_STATES: readonly JobState[] = ["pending", "running", "failed"];

/** A job id from the URL: a positive whole number that fits a bigint, or null. */
export function parseJobId(raw: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
}

export async function getJobDetail(q: Sql, id: number, opts: { attemptLimit?: number } = {}): Promise<JobDetail | null> {
  const [row] = await q.query<JobRow & { db_now: Date }>("select j.*, now() as db_now from jobs j where j.id = $1", [id]);
  if (!row) return null;
  const { db_now: now, ...job } = row;
  const attemptLimit = opts.attemptLimit ?? 100;
  const [attempts, attemptCount, worker, campaign, parent, children] = await Promise.all([
    q.query<AttemptRow>(
      `select * from (
         select id, attempt, worker_id, started_at, finished_at, outcome, error,
           greatest(0, extract(epoch from coalesce(finished_at, now()) - started_at))::float8 as duration_seconds
         from job_attempts where job_id = $1 order by id desc limit $2) a
       order by id`,
      [id, attemptLimit],
    ),
    q.query<{ n: number }>("select count(*)::int as n from job_attempts where job_id = $1", [id]),
    job.locked_by
      ? q.query<JobWorker>(
          `select w.id, w.hostname, w.pid, ${workerOnlineSql("w")} as online, w.stopped_at is not null as stopped,
             greatest(0, extract(epoch from now() - w.last_heartbeat_at))::float8 as heartbeat_age_seconds
           from workers w where w.id = $1`,
          [job.locked_by],
        )
      : Promise.resolve([]),
    job.campaign_id
      ? q.query<{ id: number; name: string; state: string }>("select id, name, state from campaigns where id = $1", [job.campaign_id])
      : Promise.resolve([]),
    job.parent_id
      ? q.query<{ id: number; kind: string; state: JobState }>("select id, kind, state from jobs where id = $1", [job.parent_id])
      : Promise.resolve([]),
    job.campaign_id
      ? q.query<{ state: string; n: number }>(
          "select state, count(*)::int as n from jobs where campaign_id = $1 and parent_id = $2 group by state",
          [job.campaign_id, id],
        )
      : Promise.resolve([]),
  ]);
  const w = worker[0] ?? null;
  const worker_online = job.locked_by ? (w?.online ?? false) : null;
  const by_state = Object.fromEntries(children.map((c) => [c.state, c.n]));
  return {
    job,
    now,
    attempts,
    attempts_total: attemptCount[0]?.n ?? attempts.length,
    worker_online,
    worker: w,
    campaign: campaign[0] ?? null,
    parent: parent[0] ?? null,
    children: { by_state, total: children.reduce((s, c) => s + c.n, 0) },
    ...describeRecovery(job, now, worker_online),
  };
}
