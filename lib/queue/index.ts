// The queue's public surface: every rule about jobs lives behind these functions.
export * from "./state-machine";
export * from "./job-spec";
export { enqueue, enqueueMany, parseJobSpec } from "./enqueue";
export { claim, type ClaimedJob, type ClaimOptions } from "./claim";
export { heartbeat, recoverStale, type HeartbeatResult, type RecoverOptions, type RecoveredJob } from "./lease";
export { complete, completeMany, fail, acknowledgeCancel, release, type AttemptRef, type Completion, type Failure } from "./finish";
export { retryJobs, cancelJobs, setPriority, runNow, expectApplied, type BulkResult, type SkippedJob } from "./operator";
export { registerWorker, workerHeartbeat, markWorkerStopped, type WorkerInfo } from "./workers";
export * from "./campaigns";
export { queueConfig } from "./config";
export { describeRecovery, type Recovery, type RecoveryInput } from "./recovery";
