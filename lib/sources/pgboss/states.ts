// pg-boss's job states and Jobdeck's. pg-boss: created → active → completed, or on a failure
// retry (scheduled again) until its retry limit, then failed, which is terminal for pg-boss
// (only retry() brings it back): so pg-boss `failed` is Jobdeck `dead`, and `retry` is `failed`.
import type { JobState } from "../../queue/state-machine";
import type { SourceInfo } from "../types";

export const NATIVE_STATES = ["created", "retry", "active", "completed", "cancelled", "failed"] as const;
export type NativeState = (typeof NATIVE_STATES)[number];

const TO_JOBDECK: Record<NativeState, JobState> = {
  created: "pending",
  retry: "failed",
  active: "running",
  completed: "completed",
  cancelled: "cancelled",
  failed: "dead",
};

export const STATE_MAP: SourceInfo["stateMap"] = [
  { native: "created", state: "pending", note: "waiting for its start time (start_after) or a worker" },
  { native: "retry", state: "failed", note: "an attempt failed; pg-boss runs it again after its retry delay" },
  { native: "active", state: "running", note: "fetched by a worker; stale once its expiry (or heartbeat) passes" },
  { native: "completed", state: "completed" },
  { native: "cancelled", state: "cancelled" },
  { native: "failed", state: "dead", note: "no retries left: terminal in pg-boss until retried" },
];

export function toJobState(native: string): JobState {
  const s = TO_JOBDECK[native as NativeState];
  if (!s) throw new Error(`unknown pg-boss job state "${native}"`);
  return s;
}

/** The native states of Jobdeck states (all of them when `states` is empty), in pg-boss's order. */
export function nativeStatesFor(states: readonly JobState[]): NativeState[] {
  return NATIVE_STATES.filter((n) => states.length === 0 || states.includes(TO_JOBDECK[n]));
}

export const FINISHED: readonly NativeState[] = ["completed", "cancelled", "failed"];
