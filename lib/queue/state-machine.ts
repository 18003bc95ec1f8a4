// The job state machine: every state, every operation and the states it may start from.
// Every SQL statement in lib/queue takes its allowed source states from here, so the rules
// live in exactly one place.

export const JOB_STATES = ["pending", "running", "completed", "failed", "dead", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_STATES: readonly JobState[] = ["completed", "dead", "cancelled"];
/** States a worker may claim from (a `failed` job waits for its backoff `run_at`). */
export const CLAIMABLE_STATES: readonly JobState[] = ["pending", "failed"];

export type Operation =
  | "claim"
  | "heartbeat"
  | "complete"
  | "fail"
  | "cancel"
  | "requestCancel"
  | "retry"
  | "retryCompleted"
  | "recoverStale"
  | "setPriority"
  | "runNow";

/** Source states for each operation. `requestCancel` is the running half of cancel. */
export const TRANSITIONS: Record<Operation, readonly JobState[]> = {
  claim: CLAIMABLE_STATES,
  heartbeat: ["running"],
  complete: ["running"],
  fail: ["running"],
  cancel: ["pending", "failed"],
  requestCancel: ["running"],
  retry: ["failed", "dead", "cancelled"],
  // Re-running finished work is allowed only when the caller asks for it explicitly.
  retryCompleted: ["failed", "dead", "cancelled", "completed"],
  recoverStale: ["running"],
  setPriority: ["pending", "failed"],
  runNow: ["pending", "failed"],
};

export function isJobState(value: string): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value);
}

export function canApply(op: Operation, from: JobState): boolean {
  return TRANSITIONS[op].includes(from);
}

/** `state in (...)` for a statement, from the operation's allowed source states. */
export function sourceStatesSql(op: Operation): string {
  return `(${TRANSITIONS[op].map((s) => `'${s}'`).join(", ")})`;
}

export type QueueErrorCode =
  | "not_found"
  | "illegal_transition"
  | "job_running"
  | "lost_lease"
  | "invalid_input"
  | "conflict";

/** An expected failure of a queue operation; callers map `code` to exit codes / HTTP status. */
export class QueueError extends Error {
  constructor(
    readonly code: QueueErrorCode,
    message: string,
    readonly details: { jobId?: number; state?: JobState; op?: Operation } = {},
  ) {
    super(message);
    this.name = "QueueError";
  }
}

export function illegalTransition(op: Operation, jobId: number, state: JobState): QueueError {
  if (state === "running" && (op === "retry" || op === "retryCompleted")) {
    return new QueueError("job_running", `job ${jobId} is running; it is never retried while running`, {
      jobId,
      state,
      op,
    });
  }
  const allowed = TRANSITIONS[op].join(", ");
  return new QueueError(
    "illegal_transition",
    `cannot ${op} job ${jobId}: it is ${state} (allowed from ${allowed})`,
    { jobId, state, op },
  );
}
