// Rows of the Celery read model, inserted the way the bridge (the ingest side) writes them:
// one celery_tasks row per task with the Celery state word and state_at, its events in
// celery_task_events (timestamp as the worker's seconds-since-epoch text), workers with freq and
// last heartbeat, the bridge's row and its gaps. The source's tests read these; the ingest
// helper's tests prove the writing.
import { randomUUID } from "node:crypto";
import type { Database } from "../../db/client";
import type { ActionContext } from "../../lib/sources/types";

export interface TaskSeed {
  id?: string;
  name?: string | null;
  state: string;
  args?: string | null;
  kwargs?: string | null;
  argsJson?: unknown;
  kwargsJson?: unknown;
  result?: string | null;
  exception?: string | null;
  traceback?: string | null;
  worker?: string | null;
  queue?: string | null;
  retries?: number;
  eta?: string | null;
  rootId?: string | null;
  parentId?: string | null;
  retryOf?: string | null;
  /** Seconds ago (relative to the database clock). */
  seenAgo?: number;
  receivedAgo?: number | null;
  startedAgo?: number | null;
  finishedAgo?: number | null;
  runtime?: number | null;
}

const ago = (s: number | null | undefined) => (s === null || s === undefined ? null : s);

export async function insertTask(db: Database, source: string, t: TaskSeed): Promise<string> {
  const id = t.id ?? randomUUID();
  await db.query(
    `insert into celery_tasks (source, task_id, name, state, args, kwargs, args_json, kwargs_json, result, exception, traceback, worker, queue, retries, eta,
       root_id, parent_id, retry_of, first_seen_at, received_at, started_at, finished_at, runtime, state_at)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13, $14, $15::timestamptz,
       $16, $17, $18, now() - make_interval(secs => $19), now() - make_interval(secs => $20), now() - make_interval(secs => $21), now() - make_interval(secs => $22), $23,
       now() - make_interval(secs => least($19, coalesce($20, $19), coalesce($21, $19), coalesce($22, $19))))`,
    [
      source,
      id,
      t.name === undefined ? "fixture.add" : t.name,
      t.state,
      t.args === undefined ? "[2, 3]" : t.args,
      t.kwargs === undefined ? "{}" : t.kwargs,
      t.argsJson === undefined ? null : JSON.stringify(t.argsJson),
      t.kwargsJson === undefined ? null : JSON.stringify(t.kwargsJson),
      t.result ?? null,
      t.exception ?? null,
      t.traceback ?? null,
      t.worker ?? null,
      t.queue === undefined ? "celery" : t.queue,
      t.retries ?? 0,
      t.eta ?? null,
      t.rootId ?? id,
      t.parentId ?? null,
      t.retryOf ?? null,
      t.seenAgo ?? 60,
      ago(t.receivedAgo),
      ago(t.startedAgo),
      ago(t.finishedAgo),
      t.runtime ?? null,
    ],
  );
  return id;
}

export async function insertEvent(db: Database, source: string, taskId: string, type: string, secondsAgo: number, hostname: string | null, fields: Record<string, unknown> = {}): Promise<void> {
  await db.query(
    `insert into celery_task_events (source, task_id, type, timestamp, hostname, fields)
     values ($1, $2, $3, (extract(epoch from now()) - $4)::text, $5, $6::jsonb) on conflict do nothing`,
    [source, taskId, type, secondsAgo, hostname, JSON.stringify(fields)],
  );
}

export interface WorkerSeed {
  hostname: string;
  freq?: number | null;
  heartbeatAgo: number | null;
  offlineAgo?: number | null;
  onlineAgo?: number;
  processed?: number;
  active?: number;
  swVer?: string;
  pool?: string | null;
  concurrency?: number | null;
}

export async function insertWorker(db: Database, source: string, w: WorkerSeed): Promise<void> {
  await db.query(
    `insert into celery_workers (source, hostname, freq, last_heartbeat_at, offline_at, online_at, processed, active, sw_ident, sw_ver, sw_sys, pid, pool, concurrency)
     values ($1, $2, $3, now() - make_interval(secs => $4), now() - make_interval(secs => $5), now() - make_interval(secs => $6), $7, $8, 'py-celery', $9, 'Linux', 4242, $10, $11)`,
    [source, w.hostname, w.freq === undefined ? 2.0 : w.freq, w.heartbeatAgo, w.offlineAgo ?? null, w.onlineAgo ?? 600, w.processed ?? 0, w.active ?? 0, w.swVer ?? "5.2.6", w.pool ?? null, w.concurrency ?? null],
  );
}

export async function setBridge(db: Database, source: string, b: { connected: boolean; lastEventAgo?: number; lastError?: string | null }): Promise<void> {
  await db.query(
    `insert into celery_bridges (source, holder, connected, last_event_at, events_total, last_error)
     values ($1, 'test:1', $2, now() - make_interval(secs => $3), 10, $4)
     on conflict (source) do update set connected = excluded.connected, last_event_at = excluded.last_event_at, last_error = excluded.last_error`,
    [source, b.connected, b.lastEventAgo ?? 1, b.lastError ?? null],
  );
}

export async function addGap(db: Database, source: string, fromAgo: number, untilAgo: number | null, reason: string): Promise<void> {
  await db.query(
    "insert into celery_event_gaps (source, from_at, until_at, reason) values ($1, now() - make_interval(secs => $2), now() - make_interval(secs => $3), $4)",
    [source, fromAgo, untilAgo, reason],
  );
}

export function ctx(control: Database, over: Partial<ActionContext> = {}): ActionContext {
  return { control, actor: { name: "ops@example.com", roles: ["operator"] }, reason: "test", auditPrefix: "jobs", ...over };
}
