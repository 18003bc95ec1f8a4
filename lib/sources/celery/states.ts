// Celery's task states and how they map onto Jobdeck's (the model both Celery helpers share):
// PENDING (sent, not received) and RECEIVED → pending; STARTED → running; RETRY → failed (a retry
// is scheduled); SUCCESS → completed; FAILURE and REJECTED → dead; REVOKED → cancelled. The
// Celery word is shown beside Jobdeck's. A state word Celery's events never send (a custom state
// from a result backend's backfill) is shown as running: custom states are set while a task runs.
import type { JobState } from "../../queue/state-machine";

export const CELERY_STATES = ["PENDING", "RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED", "REJECTED"] as const;
export type CeleryState = (typeof CELERY_STATES)[number];

export const TO_JOBDECK: Record<CeleryState, JobState> = {
  PENDING: "pending",
  RECEIVED: "pending",
  STARTED: "running",
  RETRY: "failed",
  SUCCESS: "completed",
  FAILURE: "dead",
  REVOKED: "cancelled",
  REJECTED: "dead",
};

/** States a task never leaves (the merge rule keeps them over any later non-finished event). */
export const FINISHED: readonly CeleryState[] = ["SUCCESS", "FAILURE", "REVOKED", "REJECTED"];
/** In flight on a worker: stale when that worker is OFFLINE. */
export const IN_FLIGHT: readonly CeleryState[] = ["STARTED", "RECEIVED"];

export function jobdeckState(celery: string): JobState {
  return (TO_JOBDECK as Record<string, JobState>)[celery] ?? "running";
}

/** The Celery words of Jobdeck states (for filters), in CELERY_STATES order. */
export function celeryStatesOf(states: readonly JobState[]): CeleryState[] {
  return CELERY_STATES.filter((c) => states.includes(TO_JOBDECK[c]));
}

export const CELERY_STATE_MAP: { native: string; state: JobState; note?: string }[] = [
  { native: "PENDING", state: "pending", note: "sent to its queue, no worker has received it yet (Celery shows PENDING for any id it does not know, too)" },
  { native: "RECEIVED", state: "pending", note: "a worker took it from the queue and holds it (prefetched, or waiting for its ETA/countdown)" },
  { native: "STARTED", state: "running", note: "a worker's pool process is running it" },
  { native: "RETRY", state: "failed", note: "it raised Retry or autoretried: Celery sends it again by itself, at its ETA" },
  { native: "SUCCESS", state: "completed", note: "it returned; the result is the repr Celery sent in its event" },
  { native: "FAILURE", state: "dead", note: "it raised, with no retry left: Celery never runs it again" },
  { native: "REJECTED", state: "dead", note: "the worker rejected the message (Reject): requeued or dead-lettered by the broker, as the task said" },
  { native: "REVOKED", state: "cancelled", note: "revoked (or expired): workers discard it; with terminate, its process got the signal" },
];
