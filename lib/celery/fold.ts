// Folds a batch of new events into one change per task and one per worker, so a batch is written
// with one set-based statement each (an upsert cannot touch the same row twice). The rules are
// those the SQL merge applies against the stored row (lib/celery/record-*.ts), and they do not
// depend on arrival order:
// - state: the greatest of (finished?, not PENDING?, timestamp, rank): a finished state (SUCCESS,
//   FAILURE, REVOKED, REJECTED) is never replaced by a non-finished one, PENDING never replaces
//   another state; otherwise the later event wins (rank breaks ties of the same timestamp);
// - descriptive fields (name, args, kwargs, root/parent ids, queue, expires): the first value
//   known stays (a later task-received does not erase what task-sent set);
// - outcome fields (result, exception, traceback, runtime, worker, signal): the latest event's;
// - retries: the highest; eta: the one of the highest retries; received/started: the latest.
import { type CeleryEvent, FINISHED_STATES, STATE_RANK, TASK_EVENT_STATE, int, isoTime, num, str } from "./events";
import { argsJson, kwargsJson, type JsonValue } from "./python-literal";

export interface TaskDelta {
  task_id: string;
  name: string | null;
  args: string | null;
  kwargs: string | null;
  args_json: JsonValue[] | null;
  kwargs_json: { [k: string]: JsonValue } | null;
  result: string | null;
  exception: string | null;
  traceback: string | null;
  worker: string | null;
  queue: string | null;
  retries: number | null;
  eta: string | null;
  eta_retries: number;
  expires: string | null;
  root_id: string | null;
  parent_id: string | null;
  received_at: number | null;
  started_at: number | null;
  runtime: number | null;
  signal: string | null;
  /** null when only custom task events came (they are recorded, but set no state). */
  state: string | null;
  state_at: number | null;
  state_fin: boolean;
  state_rank: number;
}

export interface WorkerDelta {
  hostname: string;
  /** Timestamp of the latest event: its counters and software fields are the current ones. */
  last_at: number;
  freq: number | null;
  processed: number | null;
  active: number | null;
  loadavg: unknown;
  sw_ident: string | null;
  sw_ver: string | null;
  sw_sys: string | null;
  pid: number | null;
  last_heartbeat: number | null;
  online: number | null;
  offline: number | null;
}

const byTime = (a: CeleryEvent, b: CeleryEvent) => a.timestamp - b.timestamp || (a.clock ?? 0) - (b.clock ?? 0);

function emptyTask(id: string): TaskDelta {
  return {
    task_id: id, name: null, args: null, kwargs: null, args_json: null, kwargs_json: null, result: null, exception: null, traceback: null,
    worker: null, queue: null, retries: null, eta: null, eta_retries: -1, expires: null, root_id: null, parent_id: null, received_at: null,
    started_at: null, runtime: null, signal: null, state: null, state_at: null, state_fin: false, state_rank: -1,
  };
}

/** Whether state b wins over state a by the order above (rank 0 is PENDING). */
export function stateWins(b: { fin: boolean; at: number; rank: number }, a: { fin: boolean; at: number; rank: number } | null): boolean {
  if (!a) return true;
  if (b.fin !== a.fin) return b.fin;
  // task-sent is stamped by the client after it published the task, often a moment after the
  // worker's task-received: PENDING ("sent, not yet received") never replaces another state.
  if ((b.rank === 0) !== (a.rank === 0)) return a.rank === 0;
  if (b.at !== a.at) return b.at > a.at;
  return b.rank >= a.rank;
}

function applyTaskEvent(d: TaskDelta, e: CeleryEvent): void {
  const first = <K extends keyof TaskDelta>(k: K, v: TaskDelta[K] | null) => {
    if (d[k] === null && v !== null) d[k] = v as TaskDelta[K];
  };
  const last = <K extends keyof TaskDelta>(k: K, v: TaskDelta[K] | null) => {
    if (v !== null) d[k] = v as TaskDelta[K];
  };
  first("name", str(e.name));
  if (typeof e.args === "string" && d.args === null) {
    d.args = e.args;
    d.args_json = argsJson(e.args);
  }
  if (typeof e.kwargs === "string" && d.kwargs === null) {
    d.kwargs = e.kwargs;
    d.kwargs_json = kwargsJson(e.kwargs);
  }
  first("root_id", str(e.root_id));
  first("parent_id", str(e.parent_id));
  first("queue", str(e.queue));
  first("expires", isoTime(e.expires));
  const retries = int(e.retries);
  if (retries !== null) {
    d.retries = Math.max(d.retries ?? 0, retries);
    if (retries > d.eta_retries) {
      d.eta_retries = retries;
      d.eta = isoTime(e.eta) ?? d.eta;
    }
  }
  // task-sent comes from the client (its hostname is the client's), the others from the worker.
  if (e.type !== "task-sent") last("worker", str(e.hostname));
  if (e.type === "task-received") d.received_at = Math.max(d.received_at ?? 0, e.timestamp);
  if (e.type === "task-started") d.started_at = Math.max(d.started_at ?? 0, e.timestamp);
  last("result", e.type === "task-succeeded" ? str(e.result) : null);
  last("runtime", num(e.runtime));
  last("exception", str(e.exception));
  last("traceback", str(e.traceback));
  if (e.type === "task-revoked" && e.terminated === true && e.signum !== undefined && e.signum !== null) d.signal = String(e.signum);

  const state = TASK_EVENT_STATE[e.type];
  if (state) {
    const next = { fin: FINISHED_STATES.has(state), at: e.timestamp, rank: STATE_RANK.indexOf(state) };
    const cur = d.state === null ? null : { fin: d.state_fin, at: d.state_at!, rank: d.state_rank };
    if (stateWins(next, cur)) {
      d.state = state;
      d.state_at = next.at;
      d.state_fin = next.fin;
      d.state_rank = next.rank;
    }
  }
}

/** One change per task id from task events (any order in; applied in timestamp order). */
export function foldTaskEvents(events: readonly CeleryEvent[]): TaskDelta[] {
  const byTask = new Map<string, TaskDelta>();
  for (const e of [...events].sort(byTime)) {
    const id = e.uuid as string;
    let d = byTask.get(id);
    if (!d) byTask.set(id, (d = emptyTask(id)));
    applyTaskEvent(d, e);
  }
  return [...byTask.values()];
}

/** One change per worker from worker-online/heartbeat/offline events. */
export function foldWorkerEvents(events: readonly CeleryEvent[]): WorkerDelta[] {
  const byHost = new Map<string, WorkerDelta>();
  for (const e of [...events].sort(byTime)) {
    const host = str(e.hostname);
    if (!host) continue;
    let d = byHost.get(host);
    if (!d) {
      d = { hostname: host, last_at: e.timestamp, freq: null, processed: null, active: null, loadavg: null, sw_ident: null, sw_ver: null, sw_sys: null, pid: null, last_heartbeat: null, online: null, offline: null };
      byHost.set(host, d);
    }
    d.last_at = e.timestamp;
    d.freq = num(e.freq) ?? d.freq;
    d.processed = int(e.processed) ?? d.processed;
    d.active = int(e.active) ?? d.active;
    d.loadavg = Array.isArray(e.loadavg) ? e.loadavg : d.loadavg;
    d.sw_ident = str(e.sw_ident) ?? d.sw_ident;
    d.sw_ver = str(e.sw_ver) ?? d.sw_ver;
    d.sw_sys = str(e.sw_sys) ?? d.sw_sys;
    d.pid = int(e.pid) ?? d.pid;
    if (e.type === "worker-offline") d.offline = e.timestamp;
    else d.last_heartbeat = e.timestamp;
    if (e.type === "worker-online") d.online = e.timestamp;
  }
  return [...byHost.values()];
}
