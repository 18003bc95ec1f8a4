// One celery_tasks row as lists show it: the columns read (alias `t`) and their translation into
// a SourceJob. Celery keeps no priority Jobdeck could change (0), no attempt limit in its events
// (maxAttempts null) and no lease (lockedUntil null); attempts are its retries so far, plus the
// one running or finished. Runtime is the worker's own figure once finished, else time running.
import type { SourceJob } from "../types";
import { CREATED_SQL } from "./criteria";
import { jobdeckState } from "./states";

export interface TaskRow {
  key: string;
  seq: string;
  name: string | null;
  queue: string | null;
  state: string;
  retries: number;
  worker: string | null;
  eta: Date | string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  runtime_ms: number | null;
  error_line: string | null;
}

export const ROW_COLUMNS = `t.task_id as key, t.seq::text as seq, t.name, t.queue, t.state, t.retries, t.worker, t.eta,
  ${CREATED_SQL} as created_at, t.started_at, t.finished_at,
  (case when t.runtime is not null then t.runtime * 1000
        when t.state = 'STARTED' and t.started_at is not null then extract(epoch from now() - t.started_at) * 1000 end)::float8 as runtime_ms,
  left(split_part(t.exception, E'\\n', 1), 300) as error_line`;

export const iso = (v: Date | string | null | undefined): string | null => (v === null || v === undefined ? null : new Date(v).toISOString());

/** Attempts so far: a task waiting for its first run has made none; one waiting after n retries has made n. */
export function attemptsOf(state: string, retries: number): number {
  return state === "PENDING" || state === "RECEIVED" ? retries : retries + 1;
}

export function toSourceJob(r: TaskRow): SourceJob {
  return {
    key: r.key,
    kind: r.name ?? "(unknown task)",
    queue: r.queue ?? "",
    state: jobdeckState(r.state),
    nativeState: r.state,
    attempts: attemptsOf(r.state, Number(r.retries)),
    maxAttempts: null,
    priority: 0,
    worker: r.worker,
    createdAt: iso(r.created_at)!,
    runAt: iso(r.eta),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    lockedUntil: null,
    cancelRequested: false,
    campaignId: null,
    runtimeMs: r.runtime_ms === null ? null : Math.max(0, Math.round(Number(r.runtime_ms))),
    errorLine: r.error_line,
  };
}
