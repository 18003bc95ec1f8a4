// What is safe to do with a Celery task right now, in one sentence (the detail's recovery hint).
// It names Celery's own rules: a revoke is kept in the memory of the workers online when it is
// sent; terminate signals the pool process; nothing releases a task from a dead worker.
import { clock } from "./bridge";
import { roughDuration } from "../../queue/recovery";

const agoSeconds = (seconds: number) => roughDuration(seconds * 1000);

export interface HintInput {
  state: string;
  name: string | null;
  queue: string | null;
  worker: string | null;
  workerOnline: boolean | null;
  /** When the worker was last known alive, for an offline one. */
  workerOfflineSince: string | null;
  eta: string | null;
  nowMs: number;
  startedAt: string | null;
  exception: string | null;
  retryExact: boolean;
  /** Why not, when retryExact is false. */
  retryWhyNot: string | null;
  revokeSent: boolean;
}

const since = (at: string | null, now: number) => (at ? agoSeconds((now - Date.parse(at)) / 1000) : "a while");

export function celeryRecoveryHint(h: HintInput): string {
  const worker = h.worker ?? "an unknown worker";
  const retry = h.retryExact ? "Retry re-sends it by name with the same arguments, as a new task linked to this one." : `It cannot be retried exactly: ${h.retryWhyNot}.`;
  const revoked = h.revokeSent ? " A revoke was sent from Jobdeck: workers discard it when it reaches them." : "";
  switch (h.state) {
    case "PENDING":
      return `Sent${h.queue ? ` to queue "${h.queue}"` : ""}, not received by any worker yet. If it waits long, check that a worker consumes that queue. Cancel revokes it: the workers online now discard it when they receive it.${revoked}`;
    case "RECEIVED":
      if (h.workerOnline === false) {
        return `Stale: ${worker} received it and went OFFLINE ${h.workerOfflineSince ? `at ${clock(h.workerOfflineSince)}` : ""}. Celery has no lease to release: the broker redelivers it only if the task uses acks_late; otherwise it is lost. ${retry}`;
      }
      return `${worker} holds it${h.eta && Date.parse(h.eta) > h.nowMs ? ` until its ETA (${clock(h.eta)})` : ", waiting for a free pool slot"}. Cancel revokes it before it starts.${revoked}`;
    case "STARTED":
      if (h.workerOnline === false) {
        return `Stale: running on ${worker}, which went OFFLINE ${h.workerOfflineSince ? `at ${clock(h.workerOfflineSince)}` : ""}. Celery has no lease to release: with acks_late the broker redelivers it (Redis after its visibility timeout, 1 h by default; RabbitMQ when the worker's connection closes), otherwise it is lost. ${retry}`;
      }
      return `Running on ${worker} for ${since(h.startedAt, h.nowMs)}. A revoke does not stop a running task: Terminate signals its pool process (the worker then reports it REVOKED).`;
    case "RETRY":
      return `It failed${h.exception ? ` (${h.exception.split("\n")[0].slice(0, 120)})` : ""} and Celery retries it by itself${h.eta ? ` at ${clock(h.eta)}` : ""}. Cancel revokes the retry.${revoked}`;
    case "SUCCESS":
      return "Succeeded. Nothing to do.";
    case "FAILURE":
      return `Failed with no retry left; Celery never runs it again. Fix the cause in the traceback first. ${retry}`;
    case "REJECTED":
      return `The worker rejected it: the broker requeued or dead-lettered the message as the task asked. ${retry}`;
    case "REVOKED":
      return `Revoked: workers will not run it. ${retry}`;
    default:
      return `Celery state ${h.state} (set by the task itself): it is running.`;
  }
}
