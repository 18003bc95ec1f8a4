// What each action does to a pg-boss job in each state, through which pg-boss function, or why it
// is skipped. One place for the rules, used by preview (what would happen) and apply (what does).
import type { SourceAction } from "../types";
import type { BossLibrary } from "./library";
import type { NativeState } from "./states";

/** The pg-boss function a job goes through. `update` (12.x) changes priority or start_after in place. */
export type BossCall = "retry" | "resume" | "cancel" | "update";
export type Plan = { call: BossCall } | { skip: string };

export const SKIP = {
  notFound: "not found (pg-boss may have deleted it)",
  archived: "archived by pg-boss: its functions change only jobs in its job table",
  running: "running jobs are never retried",
  runningCancel: "running: pg-boss cannot stop a running handler (recover it if it is stuck)",
  runningStarted: "running: it has already started",
  pending: "pending: it is already waiting to run",
  retryScheduled: "a retry is already scheduled (pg-boss 10 has no function to move it forward)",
  completed: "completed: pg-boss has no function to run a completed job again",
  finished: "already finished",
  notRunning: "not running",
  leaseHealthy: "its expiry has not passed (force releases it anyway)",
  changed: "changed meanwhile (pg-boss refused it)",
} as const;

export function planFor(action: SourceAction, state: NativeState, archived: boolean, lib: BossLibrary): Plan {
  if (archived) return { skip: action === "retry" ? SKIP.archived : SKIP.finished };
  switch (action) {
    case "retry":
      if (state === "failed") return { call: "retry" };
      if (state === "cancelled") return { call: "resume" };
      if (state === "retry") return lib.major === 12 ? { call: "update" } : { skip: SKIP.retryScheduled };
      if (state === "active") return { skip: SKIP.running };
      if (state === "created") return { skip: SKIP.pending };
      return { skip: SKIP.completed };
    case "cancel":
      if (state === "created" || state === "retry") return { call: "cancel" };
      if (state === "active") return { skip: SKIP.runningCancel };
      return { skip: SKIP.finished };
    case "priority":
    case "runNow":
      if (state === "created" || state === "retry") return { call: "update" };
      if (state === "active") return { skip: SKIP.runningStarted };
      return { skip: SKIP.finished };
  }
}
