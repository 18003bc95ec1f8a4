// The native queue's read models (lib/queries) translated to the source shapes (lib/sources/types):
// ids become string keys, dates ISO strings. Translation only: no SQL here.
import type { JobDetail } from "../../queries/job-detail";
import type { JobPageRow } from "../../queries/jobs";
import type { StaleLockRow } from "../../queries/stale";
import type { WorkerRow } from "../../queries/workers";
import type { SourceJob, SourceJobDetail, SourceStaleJob, SourceWorker } from "../types";

export const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

export function jobFromPageRow(r: JobPageRow): SourceJob {
  return {
    key: String(r.id),
    kind: r.kind,
    queue: r.queue,
    state: r.state,
    nativeState: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    priority: r.priority,
    worker: r.worker,
    createdAt: iso(r.created_at)!,
    runAt: iso(r.run_at),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    lockedUntil: iso(r.locked_until),
    cancelRequested: r.cancel_requested,
    campaignId: r.campaign_id,
    runtimeMs: r.runtime_ms,
    errorLine: r.error_line,
  };
}

export function jobDetailFrom(d: JobDetail): SourceJobDetail {
  const j = d.job;
  const now = new Date(d.now).getTime();
  const started = j.started_at ? new Date(j.started_at).getTime() : null;
  const ended = j.state === "running" ? now : j.finished_at ? new Date(j.finished_at).getTime() : null;
  return {
    job: {
      key: String(j.id),
      kind: j.kind,
      queue: j.queue,
      state: j.state,
      nativeState: j.state,
      attempts: j.attempts,
      maxAttempts: j.max_attempts,
      priority: j.priority,
      worker: j.locked_by ?? d.attempts.at(-1)?.worker_id ?? null,
      createdAt: iso(j.created_at)!,
      runAt: iso(j.run_at),
      startedAt: iso(j.started_at),
      finishedAt: iso(j.finished_at),
      lockedUntil: iso(j.locked_until),
      cancelRequested: j.cancel_requested_at != null,
      campaignId: j.campaign_id,
      runtimeMs: started != null && ended != null ? Math.max(0, ended - started) : null,
      errorLine: j.last_error == null ? null : j.last_error.split("\n")[0].slice(0, 300),
      payload: j.payload,
      result: j.result,
      lastError: j.last_error,
      progress: j.progress,
      progressMessage: j.progress_message,
      heartbeatAt: iso(j.heartbeat_at),
    },
    now: iso(d.now)!,
    isStale: d.is_stale,
    canRetry: d.can_retry,
    recoveryHint: d.recovery_hint,
    workerOnline: d.worker_online,
    attempts: d.attempts.map((a) => ({
      attempt: a.attempt,
      worker: a.worker_id,
      startedAt: iso(a.started_at)!,
      finishedAt: iso(a.finished_at),
      outcome: a.outcome,
      error: a.error,
      durationSeconds: a.duration_seconds,
    })),
    attemptsTotal: d.attempts_total,
    extra: [],
    campaign: d.campaign,
    parent: d.parent ? { key: String(d.parent.id), kind: d.parent.kind, state: d.parent.state } : null,
    children: { byState: d.children.by_state, total: d.children.total },
  };
}

export function workerFrom(w: WorkerRow): SourceWorker {
  return {
    id: w.id,
    hostname: w.hostname,
    pid: w.pid,
    queues: w.queues,
    concurrency: w.concurrency,
    version: w.version,
    status: w.status,
    startedAt: iso(w.started_at),
    lastHeartbeatAt: iso(w.last_heartbeat_at),
    heartbeatAgeSeconds: w.heartbeat_age_seconds,
    uptimeSeconds: w.uptime_seconds,
    processed: w.processed,
    failed: w.failed,
    runningCount: w.running_count,
    running: w.running.map((r) => ({
      key: String(r.id),
      kind: r.kind,
      queue: r.queue,
      startedAt: iso(r.started_at),
      lockedUntil: iso(r.locked_until),
      runtimeSeconds: r.runtime_seconds,
      leaseExpired: r.lease_expired,
    })),
  };
}

export function staleFrom(r: StaleLockRow): SourceStaleJob {
  return {
    key: String(r.id),
    kind: r.kind,
    queue: r.queue,
    worker: r.locked_by,
    startedAt: iso(r.started_at),
    lockedUntil: iso(r.locked_until),
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    leaseExpired: r.lease_expired,
    workerOnline: r.worker_online,
    overdueSeconds: r.overdue_seconds,
    leaseRemainingSeconds: r.lease_remaining_seconds,
  };
}
