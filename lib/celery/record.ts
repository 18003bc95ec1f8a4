// Records a batch of Celery events into the control database in one transaction, set-based:
//   1. the task events into celery_task_events (key: source, uuid, type, timestamp) with
//      ON CONFLICT DO NOTHING, returning the ones that were new;
//   2. only those new events, folded per task, merged into celery_tasks (one statement);
//   3. worker events, folded per hostname, merged into celery_workers (one statement).
// A duplicated or replayed event is therefore no change at all (not even updated_at).
import type { Database, Sql } from "../../db/client";
import { type CeleryEvent, isTaskEvent, isWorkerEvent } from "./events";
import { foldTaskEvents, foldWorkerEvents, type WorkerDelta } from "./fold";
import { upsertTasks } from "./record-tasks";

/** The fields stored beside the key columns (the key and the columns are not repeated). */
const KEY_FIELDS = new Set(["uuid", "type", "timestamp", "hostname", "clock"]);

function fieldsOf(e: CeleryEvent): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const k in e) if (!KEY_FIELDS.has(k)) rest[k] = e[k];
  return rest;
}

/** The event's key timestamp: its number as the sender wrote it (JS and Python print floats alike, shortest round-trip). */
export const eventTimestampKey = (e: CeleryEvent) => String(e.timestamp);

const INSERT_EVENTS = `
insert into celery_task_events (source, task_id, type, "timestamp", hostname, clock, fields)
select $1, x.task_id, x.type, x.ts, x.hostname, x.clock, x.fields
from jsonb_to_recordset($2::jsonb) as x(task_id text, type text, ts text, hostname text, clock bigint, fields jsonb)
on conflict do nothing
returning task_id, type, "timestamp"`;

const keyOf = (taskId: string, type: string, ts: string) => `${taskId}\u0001${type}\u0001${ts}`;

async function insertTaskEvents(q: Sql, source: string, events: readonly CeleryEvent[]): Promise<CeleryEvent[]> {
  if (!events.length) return [];
  const byKey = new Map<string, CeleryEvent>();
  for (const e of events) byKey.set(keyOf(e.uuid as string, e.type, eventTimestampKey(e)), e);
  const rows = [...byKey.values()].map((e) => ({
    task_id: e.uuid,
    type: e.type,
    ts: eventTimestampKey(e),
    hostname: typeof e.hostname === "string" ? e.hostname : null,
    clock: typeof e.clock === "number" && Number.isSafeInteger(e.clock) ? e.clock : null,
    fields: fieldsOf(e),
  }));
  const inserted = await q.query<{ task_id: string; type: string; timestamp: string }>(INSERT_EVENTS, [source, JSON.stringify(rows)]);
  return inserted.map((r) => byKey.get(keyOf(r.task_id, r.type, r.timestamp))!).filter(Boolean);
}

const UPSERT_WORKERS = `
with d as (
  select * from jsonb_to_recordset($2::jsonb) as x(hostname text, last_at double precision, freq real, processed int, active int,
    loadavg jsonb, sw_ident text, sw_ver text, sw_sys text, pid int, last_heartbeat double precision, online double precision,
    offline double precision)
),
cur as (select w.* from celery_workers w join d on w.source = $1 and w.hostname = d.hostname for update of w),
m as (
  select d.*, c.hostname is not null as known, c.freq as c_freq, c.processed as c_processed, c.active as c_active, c.loadavg as c_loadavg,
    c.sw_ident as c_sw_ident, c.sw_ver as c_sw_ver, c.sw_sys as c_sw_sys, c.pid as c_pid, c.online_at as c_online_at,
    greatest(c.last_heartbeat_at, to_timestamp(d.last_heartbeat)) as lh, greatest(c.offline_at, to_timestamp(d.offline)) as off,
    c.hostname is null or to_timestamp(d.last_at) >= coalesce(greatest(c.last_heartbeat_at, c.offline_at, c.online_at), '-infinity') as newer
  from d left join cur c on c.hostname = d.hostname
)
insert into celery_workers as w (source, hostname, freq, last_heartbeat_at, offline_at, online_at, processed, active, loadavg,
  sw_ident, sw_ver, sw_sys, pid, updated_at)
select $1, m.hostname,
  case when m.newer then coalesce(m.freq, m.c_freq) else coalesce(m.c_freq, m.freq) end,
  m.lh,
  -- a worker-offline counts until a later heartbeat or worker-online clears it
  case when m.off is not null and (m.lh is null or m.off > m.lh) then m.off end,
  greatest(m.c_online_at, to_timestamp(m.online)),
  case when m.newer then coalesce(m.processed, m.c_processed) else coalesce(m.c_processed, m.processed) end,
  case when m.newer then coalesce(m.active, m.c_active) else coalesce(m.c_active, m.active) end,
  case when m.newer then coalesce(m.loadavg, m.c_loadavg) else coalesce(m.c_loadavg, m.loadavg) end,
  case when m.newer then coalesce(m.sw_ident, m.c_sw_ident) else coalesce(m.c_sw_ident, m.sw_ident) end,
  case when m.newer then coalesce(m.sw_ver, m.c_sw_ver) else coalesce(m.c_sw_ver, m.sw_ver) end,
  case when m.newer then coalesce(m.sw_sys, m.c_sw_sys) else coalesce(m.c_sw_sys, m.sw_sys) end,
  case when m.newer then coalesce(m.pid, m.c_pid) else coalesce(m.c_pid, m.pid) end,
  now()
from m
on conflict (source, hostname) do update set
  freq = excluded.freq, last_heartbeat_at = excluded.last_heartbeat_at, offline_at = excluded.offline_at, online_at = excluded.online_at,
  processed = excluded.processed, active = excluded.active, loadavg = excluded.loadavg, sw_ident = excluded.sw_ident,
  sw_ver = excluded.sw_ver, sw_sys = excluded.sw_sys, pid = excluded.pid, updated_at = excluded.updated_at`;

async function upsertWorkers(q: Sql, source: string, deltas: readonly WorkerDelta[]): Promise<number> {
  if (!deltas.length) return 0;
  await q.query(UPSERT_WORKERS, [source, JSON.stringify(deltas)]);
  return deltas.length;
}

export interface RecordResult {
  /** Task events that were new (a duplicate is not counted). */
  newTaskEvents: number;
  tasks: number;
  workers: number;
  /** Events of other kinds (custom groups) that are not recorded. */
  ignored: number;
}

/** Records a batch in one transaction (nothing of it when it fails: the caller may retry it whole). */
export async function recordEvents(db: Database, source: string, events: readonly CeleryEvent[]): Promise<RecordResult> {
  const taskEvents = events.filter(isTaskEvent);
  const workerEvents = events.filter(isWorkerEvent);
  const ignored = events.length - taskEvents.length - workerEvents.length;
  return db.tx(async (q) => {
    const fresh = await insertTaskEvents(q, source, taskEvents);
    const tasks = await upsertTasks(q, source, foldTaskEvents(fresh));
    const workers = await upsertWorkers(q, source, foldWorkerEvents(workerEvents));
    return { newTaskEvents: fresh.length, tasks, workers, ignored };
  });
}
