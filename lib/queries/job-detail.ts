// One job with everything an operator needs to decide: the row, its attempt history, lock
// info with a recovery hint, and its campaign, parent and children.
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
}

export interface JobDetail extends Recovery {
  job: JobRow;
  attempts: AttemptRow[];
  worker_online: boolean | null;
  campaign: { id: number; name: string } | null;
  children: { by_state: Record<string, number>; total: number };
}

export async function getJobDetail(q: Sql, id: number, now = new Date()): Promise<JobDetail | null> {
  const [job] = await q.query<JobRow>("select * from jobs where id = $1", [id]);
  if (!job) return null;
  const [attempts, worker, campaign, children] = await Promise.all([
    q.query<AttemptRow>(
      `select id, attempt, worker_id, started_at, finished_at, outcome, error
       from job_attempts where job_id = $1 order by id`,
      [id],
    ),
    job.locked_by
      ? q.query<{ online: boolean }>(`select ${workerOnlineSql("w")} as online from workers w where id = $1`, [job.locked_by])
      : Promise.resolve([]),
    job.campaign_id
      ? q.query<{ id: number; name: string }>("select id, name from campaigns where id = $1", [job.campaign_id])
      : Promise.resolve([]),
    q.query<{ state: string; n: number }>(
      "select state, count(*)::int as n from jobs where parent_id = $1 group by state",
      [id],
    ),
  ]);
  const worker_online = job.locked_by ? (worker[0]?.online ?? false) : null;
  const by_state = Object.fromEntries(children.map((c) => [c.state, c.n]));
  return {
    job,
    attempts,
    worker_online,
    campaign: campaign[0] ?? null,
    children: { by_state, total: children.reduce((s, c) => s + c.n, 0) },
    ...describeRecovery(job, now, worker_online),
  };
}
