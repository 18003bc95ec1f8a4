// One graphile-worker job row as Jobdeck shows it: the columns read from the `jobs` view (alias
// `j`, states derived in SQL by ./states) and their translation into a SourceJob. Priority is
// shown on Jobdeck's scale, where a higher number runs first: graphile-worker runs the LOWEST
// number first, so Jobdeck's priority is its negation (graphile 0 → 0, graphile -5 → 5); the
// detail page shows graphile-worker's own number too.
import type { JobState } from "../../queue/state-machine";
import type { SourceJob } from "../types";
import { LOCK_TIMEOUT_SQL, nativeStateSql, stateSql } from "./states";

export interface GraphileRow {
  key: string;
  kind: string;
  queue: string | null;
  state: JobState;
  native_state: string;
  attempts: number;
  max_attempts: number;
  graphile_priority: number;
  locked_by: string | null;
  locked_at: Date | string | null;
  locked_until: Date | string | null;
  created_at: Date | string;
  run_at: Date | string;
  runtime_ms: number | null;
  error_line: string | null;
}

export const ROW_COLUMNS = `j.id::text as key, j.task_identifier as kind, j.queue_name as queue,
  ${stateSql()} as state, ${nativeStateSql()} as native_state,
  j.attempts::int as attempts, j.max_attempts::int as max_attempts, j.priority::int as graphile_priority,
  j.locked_by, j.locked_at, j.locked_at + ${LOCK_TIMEOUT_SQL} as locked_until, j.created_at, j.run_at,
  (extract(epoch from now() - j.locked_at) * 1000)::float8 as runtime_ms,
  left(split_part(j.last_error, E'\\n', 1), 300) as error_line`;

export const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/** Jobdeck's priority (higher runs first) from graphile-worker's (lower runs first), and back. */
export const toJobdeckPriority = (graphile: number): number => (graphile === 0 ? 0 : -graphile);
export const toGraphilePriority = (jobdeck: number): number => (jobdeck === 0 ? 0 : -jobdeck);

export function toSourceJob(r: GraphileRow): SourceJob {
  return {
    key: r.key,
    kind: r.kind,
    queue: r.queue ?? "",
    state: r.state,
    nativeState: r.native_state,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    priority: toJobdeckPriority(Number(r.graphile_priority)),
    // graphile-worker forgets the worker once the lock is released.
    worker: r.locked_by,
    createdAt: iso(r.created_at)!,
    runAt: iso(r.run_at),
    startedAt: iso(r.locked_at),
    finishedAt: null,
    lockedUntil: iso(r.locked_until),
    cancelRequested: false,
    campaignId: null,
    runtimeMs: r.runtime_ms === null ? null : Math.max(0, Math.round(Number(r.runtime_ms))),
    errorLine: r.error_line,
  };
}
