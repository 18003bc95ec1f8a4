// The messages a bench worker process and the orchestrator (scripts/bench-queue.ts) exchange over
// the child's IPC channel. Times are epoch milliseconds with sub-millisecond precision
// (performance.timeOrigin + performance.now()), comparable across processes on one machine.

export type ParentMessage = { type: "go" } | { type: "stop" };

export interface WorkerProgress {
  type: "progress";
  /** Jobs this process has completed (for Jobdeck: completion committed). */
  completed: number;
  /** Start of the first claim round trip that returned at least one job. */
  firstClaimAt: number | null;
  /** When the most recent completion was recorded. */
  lastCompleteAt: number | null;
}

export interface WorkerFinal extends Omit<WorkerProgress, "type"> {
  type: "final";
  /** Claim round-trip durations in ms, one per claim that returned jobs. */
  claimMs: number[];
  /** Jobs returned by those claims (same order as claimMs). */
  claimSizes: number[];
  /** Completion flush round trips (Jobdeck only), for the report. */
  completeFlushes: number;
  /** Round trips to the database the worker made while draining (Jobdeck only; -1 if unknown). */
  roundTrips: number;
  /** CPU time (user+system, ms) this process used between "go" and "stop". */
  cpuMs: number;
  notes?: string;
}

export type ChildMessage = { type: "ready"; pid: number } | WorkerProgress | WorkerFinal | { type: "error"; message: string };

export const now = (): number => performance.timeOrigin + performance.now();
