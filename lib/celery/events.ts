// Celery's events as they arrive from the broker (celery/events/dispatcher.py): a flat JSON
// object with `type` ("task-succeeded", "worker-heartbeat", …), `timestamp` (time.time() of the
// sender: seconds since the epoch), `hostname`, `clock` (Lamport clock), `pid`, `utcoffset`, and
// per type its fields (task events: `uuid`, name, args, …; worker events: freq, processed, …).

export type CeleryEvent = { type: string; timestamp: number; hostname?: string; clock?: number; uuid?: string } & Record<string, unknown>;

/** Celery's state word each task event type sets (celery.events.state.TASK_EVENT_TO_STATE). */
export const TASK_EVENT_STATE: Readonly<Record<string, string>> = {
  "task-sent": "PENDING",
  "task-received": "RECEIVED",
  "task-started": "STARTED",
  "task-failed": "FAILURE",
  "task-retried": "RETRY",
  "task-succeeded": "SUCCESS",
  "task-revoked": "REVOKED",
  "task-rejected": "REJECTED",
};

export const FINISHED_STATES: ReadonlySet<string> = new Set(["SUCCESS", "FAILURE", "REVOKED", "REJECTED"]);

/**
 * Tie-break between two states set at the very same timestamp: the one further along wins. The
 * same order is written out in SQL (lib/celery/record-tasks.ts): keep them equal.
 */
export const STATE_RANK: readonly string[] = ["PENDING", "RECEIVED", "STARTED", "RETRY", "REJECTED", "REVOKED", "FAILURE", "SUCCESS"];

export const isTaskEvent = (e: CeleryEvent) => e.type.startsWith("task-") && typeof e.uuid === "string" && e.uuid !== "";
export const isWorkerEvent = (e: CeleryEvent) => e.type === "worker-online" || e.type === "worker-heartbeat" || e.type === "worker-offline";

/**
 * A decoded body (one event, or the list a `*.multi` message carries) as events; anything that is
 * not an object with a string type and a finite timestamp is dropped and counted.
 */
export function eventsFromBody(body: unknown): { events: CeleryEvent[]; invalid: number } {
  const items = Array.isArray(body) ? body : [body];
  const events: CeleryEvent[] = [];
  let invalid = 0;
  for (const item of items) {
    if (item && typeof item === "object" && !Array.isArray(item)) {
      const e = item as Record<string, unknown>;
      if (typeof e.type === "string" && typeof e.timestamp === "number" && Number.isFinite(e.timestamp)) {
        events.push(e as CeleryEvent);
        continue;
      }
    }
    invalid++;
  }
  return { events, invalid };
}

/** An eta/expires value (ISO 8601, usually with +00:00) as an ISO string, or null; a naive one is read as UTC (Celery's default). */
export function isoTime(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  if (typeof value !== "string" || value.trim() === "") return null;
  const v = value.trim();
  const withZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(v) ? v : `${v}Z`;
  const ms = Date.parse(withZone);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export const str = (v: unknown): string | null => (typeof v === "string" ? v : v === null || v === undefined ? null : String(v));
export const int = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) ? v : null);
export const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
