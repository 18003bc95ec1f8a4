// The two Source actions a Celery source has, and for each task whether it changes or why not —
// one place, used by preview, apply and the detail page. Cancel is Celery's revoke: it stops a
// task before it starts (a revoke does not stop a running one: that is terminate, a Celery-only
// operation). Retry is offered only where it can be exact: the task is re-sent by name with its
// original arguments as real values (args_json/kwargs_json), to its queue, as a new task.
import type { Sql } from "../../../db/client";
import { QueueError } from "../../queue/state-machine";
import type { ActionInput } from "../types";
import { parseCeleryKey } from "./keys";

export const BATCH_SIZE = 500;
export const MAX_RETURNED_KEYS = 10_000;

export const NOT_FOUND = "not found: Jobdeck has seen no event of this task";
export const ARGS_AS_TEXT = "its arguments are known only as Celery's repr text, not as values: it cannot be re-sent exactly";

export interface TaskFacts {
  key: string;
  state: string;
  name: string | null;
  queue: string | null;
  args: string | null;
  kwargs: string | null;
  /** JSON text of the real values, when known and of the right shape (array / object). */
  args_json: string | null;
  kwargs_json: string | null;
}

/** Columns of TaskFacts over `t`. */
export const FACT_COLUMNS = `t.task_id as key, t.state, t.name, t.queue, t.args, t.kwargs,
  case when jsonb_typeof(t.args_json) = 'array' then t.args_json::text end as args_json,
  case when jsonb_typeof(t.kwargs_json) = 'object' then t.kwargs_json::text end as kwargs_json`;

export type Plan = { change: true } | { skip: string };

export function cancelPlan(t: Pick<TaskFacts, "state">): Plan {
  switch (t.state) {
    case "PENDING":
    case "RECEIVED":
    case "RETRY":
      return { change: true };
    case "STARTED":
      return { skip: "running: a revoke does not stop a running task (use Terminate)" };
    default:
      return { skip: `already finished (${t.state})` };
  }
}

export function retryPlan(t: TaskFacts, includeCompleted: boolean): Plan {
  switch (t.state) {
    case "STARTED":
      return { skip: "running: Celery is running it now" };
    case "PENDING":
    case "RECEIVED":
      return { skip: "pending: it has not run yet" };
    case "RETRY":
      return { skip: "a retry is already scheduled: Celery runs it again by itself" };
    case "SUCCESS":
      if (!includeCompleted) return { skip: "completed: it succeeded (include completed tasks to re-send it)" };
  }
  if (!t.name) return { skip: "its task name is unknown: Jobdeck saw only part of its events" };
  if (t.args_json === null || t.kwargs_json === null) return { skip: ARGS_AS_TEXT };
  if (!t.queue) return { skip: "its queue is unknown: Celery names it only in task-sent events (task_send_sent_event)" };
  return { change: true };
}

export function planFor(input: ActionInput, t: TaskFacts): Plan {
  return input.action === "cancel" ? cancelPlan(t) : retryPlan(t, input.includeCompleted === true);
}

export const add = (into: Record<string, number>, reason: string, n = 1) => {
  if (n) into[reason] = (into[reason] ?? 0) + n;
};

/** The distinct keys of an input, or null for a filter; QueueError (a 400) for a malformed one. */
export function checkKeys(input: ActionInput, sourceName: string): string[] | null {
  if ((input.target.keys === undefined) === (input.target.criteria === undefined)) throw new QueueError("invalid_input", "give either keys or a filter");
  if (!input.target.keys) return null;
  const keys = new Set<string>();
  for (const raw of input.target.keys) {
    const k = parseCeleryKey(String(raw));
    if (k === null) throw new QueueError("invalid_input", `"${String(raw).slice(0, 40)}" is not a task of source "${sourceName}" (a Celery task id)`);
    keys.add(k);
  }
  if (!keys.size) throw new QueueError("invalid_input", "give at least one key");
  return [...keys];
}

export async function factsOf(q: Sql, source: string, keys: readonly string[]): Promise<Map<string, TaskFacts>> {
  const rows = await q.query<TaskFacts>(`select ${FACT_COLUMNS} from celery_tasks t where t.source = $1 and t.task_id = any($2::text[])`, [source, keys]);
  return new Map(rows.map((r) => [r.key, r]));
}
