// What is safe to do with a job right now, in one sentence an operator can act on. The job
// detail page and the admin API both show it (`is_stale`, `can_retry`, `recovery_hint`).
import { canApply, type JobState } from "./state-machine";

export interface RecoveryInput {
  state: JobState;
  queue: string;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  locked_by: string | null;
  locked_until: Date | null;
  cancel_requested_at: Date | null;
}

export interface Recovery {
  is_stale: boolean;
  can_retry: boolean;
  recovery_hint: string;
}

/** A rough duration for hints ("40 s", "12 min", "3 h", "2 d"); every source's recovery hint uses it. */
export function roughDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** `workerOnline`: whether the job's locking worker heartbeats (null when unknown). */
export function describeRecovery(job: RecoveryInput, now: Date, workerOnline: boolean | null = null): Recovery {
  const is_stale = job.state === "running" && job.locked_until != null && job.locked_until < now;
  const can_retry = canApply("retry", job.state);
  return { is_stale, can_retry, recovery_hint: hint(job, now, is_stale, workerOnline) };
}

function hint(job: RecoveryInput, now: Date, stale: boolean, workerOnline: boolean | null): string {
  const worker = job.locked_by ?? "an unknown worker";
  switch (job.state) {
    case "running":
      if (job.cancel_requested_at) return `Cancel requested; ${worker} stops it at its next heartbeat. If that worker is gone, recover stale to finish the cancel.`;
      if (stale) {
        const overdue = roughDuration(now.getTime() - job.locked_until!.getTime());
        return `Stale: the lease expired ${overdue} ago and ${worker} ${workerOnline === false ? "is offline" : "stopped extending it"}. Recover stale to return it to pending${job.attempts >= job.max_attempts ? " (no attempts left: it will be dead-lettered)" : ""}; workers also do this on their periodic sweep.`;
      }
      if (workerOnline === false) {
        return `${worker} is offline but its lease runs ${roughDuration(job.locked_until!.getTime() - now.getTime())} more; the worker may only be paused and still finish it. Wait for the lease to expire, then recover it (a worker's sweep also does). Force-release it now only if the worker is known to be gone: it could run twice.`;
      }
      return `Running on ${worker}; the lease is healthy. Nothing to do. Cancel it if it must stop; it is never retried while running.`;
    case "pending":
      return job.run_at > now
        ? `Scheduled to run in ${roughDuration(job.run_at.getTime() - now.getTime())}. Run now to start it early.`
        : `Waiting for a worker on queue "${job.queue}". If it waits long, check that a worker serves this queue.`;
    case "failed":
      return `Attempt ${job.attempts} of ${job.max_attempts} failed; the next try is ${job.run_at > now ? `in ${roughDuration(job.run_at.getTime() - now.getTime())}` : "due now"}. Retry to try again at once with a fresh attempt count.`;
    case "dead":
      return `Dead after ${job.attempts} attempt${job.attempts === 1 ? "" : "s"}. Fix the cause in the last error first, then retry: it is safe and keeps the history.`;
    case "cancelled":
      return "Cancelled. Retry to run it again.";
    case "completed":
      return "Completed. Nothing to do; re-run it only deliberately (retry with completed jobs included).";
  }
}
