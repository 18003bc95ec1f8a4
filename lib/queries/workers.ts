// Workers as operators see them: online/offline derived from heartbeat age, what each is
// running now, and whether an offline worker still holds jobs.
import type { Sql } from "../../db/client";
import { queueConfig } from "../queue/config";

/** SQL boolean: the worker heartbeated recently and has not said goodbye. */
export function workerOnlineSql(alias: string): string {
  const secs = queueConfig().workerOfflineAfterSeconds;
  return `(${alias}.stopped_at is null and ${alias}.last_heartbeat_at > now() - make_interval(secs => ${Number(secs)}))`;
}

export interface WorkerRow {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  concurrency: number;
  version: string;
  started_at: Date;
  last_heartbeat_at: Date;
  stopped_at: Date | null;
  processed: number;
  failed: number;
  online: boolean;
  running: { id: number; kind: string; started_at: Date | null; locked_until: Date | null }[];
}

export interface ListWorkersOptions {
  /** Include workers that stopped cleanly more than this many hours ago (default 24). */
  stoppedWithinHours?: number;
  limit?: number;
}

export async function listWorkers(q: Sql, opts: ListWorkersOptions = {}): Promise<WorkerRow[]> {
  return q.query<WorkerRow>(
    `select w.*, ${workerOnlineSql("w")} as online,
       coalesce((select json_agg(json_build_object('id', j.id, 'kind', j.kind, 'started_at', j.started_at,
                   'locked_until', j.locked_until) order by j.id)
                 from jobs j where j.state = 'running' and j.locked_by = w.id), '[]'::json) as running
     from workers w
     where w.stopped_at is null or w.stopped_at > now() - make_interval(hours => $1)
        or exists (select 1 from jobs j where j.state = 'running' and j.locked_by = w.id)
     order by ${workerOnlineSql("w")} desc, w.last_heartbeat_at desc
     limit $2`,
    [opts.stoppedWithinHours ?? 24, opts.limit ?? 500],
  );
}
