// What is safe to do with a graphile-worker job right now, in one sentence an operator can act
// on (the job detail's recovery hint). It names graphile-worker's own rules: its admin functions
// leave locked jobs alone, and a lock older than 4 hours is presumed abandoned.
import type { JobState } from "../../queue/state-machine";
import { roughDuration } from "../../queue/recovery";

const agoSeconds = (seconds: number) => roughDuration(seconds * 1000);

export interface HintInput {
  state: JobState;
  kind: string;
  queue: string | null;
  attempts: number;
  maxAttempts: number;
  worker: string | null;
  /** Seconds since the lock was taken (running jobs). */
  lockedForSeconds: number | null;
  /** Seconds until run_at (negative when due). */
  runInSeconds: number;
  stale: boolean;
}

export function graphileRecoveryHint(j: HintInput): string {
  const worker = j.worker ?? "an unknown worker";
  switch (j.state) {
    case "running":
      if (j.stale) {
        return `Stale: ${worker} locked it ${agoSeconds(j.lockedForSeconds ?? 0)} ago, past graphile-worker's 4 h limit, so it is presumed gone. Recover stale to release the lock now (graphile-worker's own workers release it within about 10 minutes); ${j.attempts >= j.maxAttempts ? "it has no attempts left, so it then counts as permanently failed: retry it afterwards" : "it then runs again"}.`;
      }
      return `Locked by ${worker} for ${agoSeconds(j.lockedForSeconds ?? 0)}. graphile-worker's functions leave locked jobs alone, so it cannot be retried, cancelled or rescheduled until it finishes or fails. If that worker is gone (crashed, killed), recover its jobs by worker; otherwise graphile-worker presumes it gone after 4 h.`;
    case "pending":
      if (j.runInSeconds > 0) return `Scheduled to run in ${agoSeconds(j.runInSeconds)}. Run now to start it early.`;
      return `Waiting for a worker that runs task "${j.kind}"${j.queue ? ` in queue "${j.queue}" (a named queue runs one job at a time)` : ""}. If it waits long, check that a worker serves this task.`;
    case "failed":
      return `Attempt ${j.attempts} of ${j.maxAttempts} failed; graphile-worker retries it ${j.runInSeconds > 0 ? `in ${agoSeconds(j.runInSeconds)}` : "as soon as a worker is free"}. Retry to run it now with a fresh attempt count.`;
    case "dead":
      return `Permanently failed after ${j.attempts} attempt${j.attempts === 1 ? "" : "s"} (or cancelled: the last error says so); graphile-worker never runs it again. Fix the cause in the last error first, then retry: it runs again with a fresh attempt count.`;
    case "completed":
    case "cancelled":
      return "graphile-worker keeps no finished jobs.";
  }
}
