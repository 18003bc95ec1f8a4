// A task's events (celery_task_events, as the bridge recorded them) as its timeline and its
// attempts: Celery keeps one task id across retries, so each task-started opens an attempt and
// the next task-succeeded, -failed, -retried, -revoked or -rejected closes it.
import type { Sql } from "../../../db/client";
import type { SourceAttempt, SourceJobDetail } from "../types";

/** Events read at most per task (a task retried hundreds of times shows its newest). */
export const MAX_EVENTS = 500;

export interface EventRow {
  type: string;
  ts: number;
  hostname: string | null;
  fields: Record<string, unknown> | null;
}

export async function readTaskEvents(q: Sql, source: string, taskId: string): Promise<EventRow[]> {
  const rows = await q.query<EventRow>(
    `select type, timestamp::float8 as ts, hostname, fields from celery_task_events
     where source = $1 and task_id = $2 order by timestamp::float8 desc, type limit ${MAX_EVENTS}`,
    [source, taskId],
  );
  return rows.reverse();
}

const at = (ts: number) => new Date(Number(ts) * 1000).toISOString();
const str = (v: unknown) => (v === undefined || v === null || v === "" ? null : typeof v === "string" ? v : JSON.stringify(v));

/** The one-line gist of an event's fields. */
function detailOf(e: EventRow): string | null {
  const f = e.fields ?? {};
  switch (e.type) {
    case "task-sent":
      return [str(f.queue) && `queue ${str(f.queue)}`, str(f.eta) && `eta ${str(f.eta)}`].filter(Boolean).join(", ") || null;
    case "task-received":
      return [str(f.retries) && Number(f.retries) > 0 ? `retry ${str(f.retries)}` : null, str(f.eta) && `eta ${str(f.eta)}`].filter(Boolean).join(", ") || null;
    case "task-succeeded":
      // Not the result: the timeline is not masked like the Result panel (secret values).
      return f.runtime != null ? `runtime ${Number(f.runtime).toFixed(3)} s` : null;
    case "task-failed":
    case "task-retried":
      return str(f.exception)?.split("\n")[0].slice(0, 300) ?? null;
    case "task-revoked":
      return [f.terminated ? `terminated${f.signum != null ? ` (signal ${str(f.signum)})` : ""}` : null, f.expired ? "expired" : null].filter(Boolean).join(", ") || null;
    case "task-rejected":
      return f.requeue ? "requeued" : null;
    default:
      return null;
  }
}

export function timelineOf(events: EventRow[]): NonNullable<SourceJobDetail["timeline"]> {
  return events.map((e) => ({ at: at(e.ts), type: e.type, worker: e.hostname, detail: detailOf(e) }));
}

const CLOSING: Record<string, string> = { "task-succeeded": "succeeded", "task-failed": "failed", "task-retried": "retried", "task-revoked": "revoked", "task-rejected": "rejected" };

export function attemptsOf(events: EventRow[]): SourceAttempt[] {
  const out: SourceAttempt[] = [];
  let open: SourceAttempt | null = null;
  for (const e of events) {
    if (e.type === "task-started") {
      open = { attempt: out.length + 1, worker: e.hostname, startedAt: at(e.ts), finishedAt: null, outcome: null, error: null, durationSeconds: null };
      out.push(open);
    } else if (open && CLOSING[e.type]) {
      open.finishedAt = at(e.ts);
      open.outcome = CLOSING[e.type];
      open.error = e.type === "task-failed" || e.type === "task-retried" ? (str(e.fields?.exception) ?? null) : null;
      const runtime = e.fields?.runtime;
      open.durationSeconds = typeof runtime === "number" ? runtime : Math.max(0, (Date.parse(open.finishedAt) - Date.parse(open.startedAt)) / 1000);
      open = null;
    }
  }
  return out;
}
