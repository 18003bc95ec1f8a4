// Merges a batch of task changes (lib/celery/fold.ts) into celery_tasks with one statement: the
// stored row and the change are merged by the same rules as the fold (stateWins: the row tuple
// below), so the result does not depend on how events were split into batches.
import type { Sql } from "../../db/client";
import type { TaskDelta } from "./fold";

const COLUMNS = `task_id text, name text, args text, kwargs text, args_json jsonb, kwargs_json jsonb, result text, exception text,
  traceback text, worker text, queue text, retries int, eta timestamptz, eta_retries int, expires timestamptz, root_id text,
  parent_id text, received_at double precision, started_at double precision, runtime real, signal text, state text,
  state_at double precision, state_fin boolean, state_rank int`;

// STATE_RANK of lib/celery/events.ts, in SQL.
const RANK = (col: string) => `coalesce(array_position(array['PENDING','RECEIVED','STARTED','RETRY','REJECTED','REVOKED','FAILURE','SUCCESS'], ${col}) - 1, -1)`;
const FIN = (col: string) => `(${col} in ('SUCCESS','FAILURE','REVOKED','REJECTED'))`;

export const UPSERT_TASKS = `
with d as (select * from jsonb_to_recordset($2::jsonb) as x(${COLUMNS})),
cur as (select t.* from celery_tasks t join d on t.source = $1 and t.task_id = d.task_id for update of t),
m as (
  select d.*, c.task_id is not null as known, c.name as c_name, c.args as c_args, c.kwargs as c_kwargs, c.args_json as c_args_json,
    c.kwargs_json as c_kwargs_json, c.result as c_result, c.exception as c_exception, c.traceback as c_traceback, c.worker as c_worker,
    c.queue as c_queue, c.retries as c_retries, c.eta as c_eta, c.expires as c_expires, c.root_id as c_root_id, c.parent_id as c_parent_id,
    c.received_at as c_received_at, c.started_at as c_started_at, c.finished_at as c_finished_at, c.runtime as c_runtime,
    c.signal as c_signal, c.state as c_state, c.state_at as c_state_at,
    d.state is not null and (c.task_id is null or c.state_at is null
      or (d.state_fin, d.state_rank <> 0, to_timestamp(d.state_at), d.state_rank) >= (${FIN("c.state")}, c.state <> 'PENDING', c.state_at, ${RANK("c.state")})) as wins
  from d left join cur c on c.task_id = d.task_id
)
insert into celery_tasks as t (source, task_id, name, state, args, kwargs, args_json, kwargs_json, result, exception, traceback,
  worker, queue, retries, eta, expires, root_id, parent_id, received_at, started_at, finished_at, runtime, signal, state_at, updated_at)
select $1, m.task_id,
  coalesce(m.c_name, m.name),
  case when m.wins then m.state else coalesce(m.c_state, 'PENDING') end,
  coalesce(m.c_args, m.args), coalesce(m.c_kwargs, m.kwargs),
  coalesce(m.c_args_json, m.args_json), coalesce(m.c_kwargs_json, m.kwargs_json),
  coalesce(m.result, m.c_result), coalesce(m.exception, m.c_exception), coalesce(m.traceback, m.c_traceback),
  coalesce(m.worker, m.c_worker), coalesce(m.c_queue, m.queue),
  greatest(m.c_retries, m.retries, 0),
  case when m.eta_retries > coalesce(m.c_retries, -1) then coalesce(m.eta, m.c_eta) else coalesce(m.c_eta, m.eta) end,
  coalesce(m.c_expires, m.expires), coalesce(m.c_root_id, m.root_id), coalesce(m.c_parent_id, m.parent_id),
  greatest(m.c_received_at, to_timestamp(m.received_at)), greatest(m.c_started_at, to_timestamp(m.started_at)),
  case when m.wins and m.state_fin then to_timestamp(m.state_at) when m.wins then null else m.c_finished_at end,
  coalesce(m.runtime, m.c_runtime), coalesce(m.signal, m.c_signal),
  case when m.wins then to_timestamp(m.state_at) else m.c_state_at end,
  now()
from m
on conflict (source, task_id) do update set
  name = excluded.name, state = excluded.state, args = excluded.args, kwargs = excluded.kwargs, args_json = excluded.args_json,
  kwargs_json = excluded.kwargs_json, result = excluded.result, exception = excluded.exception, traceback = excluded.traceback,
  worker = excluded.worker, queue = excluded.queue, retries = excluded.retries, eta = excluded.eta, expires = excluded.expires,
  root_id = excluded.root_id, parent_id = excluded.parent_id, received_at = excluded.received_at, started_at = excluded.started_at,
  finished_at = excluded.finished_at, runtime = excluded.runtime, signal = excluded.signal, state_at = excluded.state_at,
  updated_at = excluded.updated_at`;

/** Writes the changes; returns how many task rows were touched. */
export async function upsertTasks(q: Sql, source: string, deltas: readonly TaskDelta[]): Promise<number> {
  if (!deltas.length) return 0;
  await q.query(UPSERT_TASKS, [source, JSON.stringify(deltas)]);
  return deltas.length;
}
