// Read model for the overview page: job counts by state (per queue and per kind too), workers,
// stale locks, campaigns, the latest dead jobs, and what needs attention. Counting is exact and
// never scans jobs: counts by (queue, kind, state) come from the counters kept with the
// transitions (lib/queue/counters.ts); ready vs scheduled and the oldest ready age from a short
// index probe per queue; running and stale (few, bounded by the workers) through their partial
// index; completions from job_rollups (exact, and they survive retention); the table size is the
// planner's estimate, labelled as such.
// No `import "server-only"`: `npm run bench` times this module from plain Node (like lib/queries/jobs.ts).
import type { Sql } from "@/db/client";
import { countState, queueKindKey, readJobCounts, readPendingTiming } from "../queue/counters";

/** A count that stops at `cap`; `capped` means "at least this many" (the overview's counts are exact now: always false). */
export interface CappedCount {
  value: number;
  capped: boolean;
}

export type WorkerStatus = "online" | "offline" | "stopped";

export interface QueueSummary {
  queue: string;
  ready: number;
  scheduled: number;
  retrying: number;
  running: number;
  stale: number;
  /** Seconds the oldest ready job has waited past its run_at; null when nothing is ready. */
  oldestReadyAgeSeconds: number | null;
}

export interface WorkerSummary {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  concurrency: number;
  version: string;
  status: WorkerStatus;
  heartbeatAgeSeconds: number;
  uptimeSeconds: number;
  processed: number;
  failed: number;
  /** Jobs this worker holds right now (state running, locked_by = id). */
  running: number;
}

export interface CampaignSummary {
  id: number;
  name: string;
  kind: string;
  queue: string;
  state: string;
  batchSize: number;
  nextStartPosition: number;
  totalItems: number | null;
  updatedAgeSeconds: number;
}

export interface DeadJobSummary {
  id: number;
  kind: string;
  queue: string;
  attempts: number;
  maxAttempts: number;
  finishedAgeSeconds: number | null;
  /** First line of last_error, as stored: render it as text. */
  errorLine: string | null;
}

/** Active and dead jobs of one (queue, kind). */
export interface KindCounts {
  queue: string;
  kind: string;
  ready: number;
  scheduled: number;
  running: number;
  retrying: number;
  /** Dead jobs, exact. */
  dead: number;
}

export interface OverviewSummary {
  counts: {
    ready: number;
    scheduled: number;
    running: number;
    /** Running jobs whose lease expired (state running and locked_until < now()). */
    stale: number;
    /** Running jobs held by a worker that is offline or stopped (lease may not have expired yet). */
    runningOnOfflineWorkers: number;
    /** State `failed`: the attempt failed and a retry is scheduled. */
    retrying: number;
    dead: CappedCount;
    cancelled: CappedCount;
    /** Completed attempts per job_rollups: exact. */
    completedLastHour: number;
    completedLast24h: number;
    /** Failed attempts (retry scheduled or dead) in the last hour, per job_rollups. */
    failedLastHour: number;
    /** Seconds the oldest ready job has waited past its run_at, over every queue. */
    oldestReadyAgeSeconds: number | null;
    /** The queue of that job. */
    oldestReadyQueue: string | null;
  };
  /** Active and dead counts per (queue, kind), exact. */
  kinds: KindCounts[];
  /** Queues that online workers claim from; null when some online worker claims from every queue. */
  servedQueues: string[] | null;
  /** pg_class.reltuples for jobs: the planner's estimate, null before the first ANALYZE. */
  estimatedTotalJobs: number | null;
  queues: QueueSummary[];
  workers: { online: number; offline: number; stopped: number; offlineAfterSeconds: number; list: WorkerSummary[] };
  campaigns: CampaignSummary[];
  recentDead: DeadJobSummary[];
}

export function workerOfflineAfterSeconds(): number {
  const raw = Number(process.env.JOBDECK_WORKER_OFFLINE_AFTER_SECONDS ?? 30);
  return Number.isFinite(raw) && raw > 0 ? raw : 30;
}

const num = (v: unknown): number => (v == null ? 0 : Number(v));
const exact = (value: number): CappedCount => ({ value, capped: false });

export async function getOverviewSummary({
  q,
  offlineAfterSeconds = workerOfflineAfterSeconds(),
  workerLimit = 12,
  campaignLimit = 6,
  deadLimit = 6,
}: {
  q: Sql;
  offlineAfterSeconds?: number;
  workerLimit?: number;
  campaignLimit?: number;
  deadLimit?: number;
}): Promise<OverviewSummary> {
  const [counts, running, completions, estimate, workerTotals, served, workers, campaigns, dead] = await Promise.all([
    readJobCounts(q),
    // Matches jobs_running_lease_idx / jobs_running_worker_idx.
    q.query<{ queue: string; kind: string; running: number; stale: number; on_offline: number }>(
      `select j.queue, j.kind, count(*) as running,
         count(*) filter (where j.locked_until < now()) as stale,
         count(*) filter (where w.id is null or w.stopped_at is not null
                          or w.last_heartbeat_at < now() - make_interval(secs => $1)) as on_offline
       from jobs j left join workers w on w.id = j.locked_by
       where j.state = 'running' group by j.queue, j.kind`,
      [offlineAfterSeconds],
    ),
    q.query<{ completed_1h: number; completed_24h: number; failed_1h: number }>(
      `select coalesce(sum(completed) filter (where bucket >= now() - interval '1 hour'), 0) as completed_1h,
         coalesce(sum(completed), 0) as completed_24h,
         coalesce(sum(failed) filter (where bucket >= now() - interval '1 hour'), 0) as failed_1h
       from job_rollups where bucket >= now() - interval '24 hours'`,
    ),
    q.query<{ reltuples: number }>(`select reltuples::float8 as reltuples from pg_class where oid = 'jobs'::regclass`),
    q.query<{ online: number; offline: number; stopped: number }>(
      `select
         count(*) filter (where stopped_at is null and last_heartbeat_at >= now() - make_interval(secs => $1)) as online,
         count(*) filter (where stopped_at is null and last_heartbeat_at < now() - make_interval(secs => $1)) as offline,
         count(*) filter (where stopped_at is not null) as stopped
       from workers`,
      [offlineAfterSeconds],
    ),
    q.query<{ all_queues: boolean; queues: string[] | null }>(
      `select coalesce(bool_or(cardinality(queues) = 0), false) as all_queues,
         array(select distinct unnest(queues) from workers
               where stopped_at is null and last_heartbeat_at >= now() - make_interval(secs => $1)) as queues
       from workers where stopped_at is null and last_heartbeat_at >= now() - make_interval(secs => $1)`,
      [offlineAfterSeconds],
    ),
    q.query<{
      id: string; hostname: string; pid: number; queues: string[]; concurrency: number; version: string;
      stopped: boolean; heartbeat_age: number; uptime: number; processed: number; failed: number; running: number;
    }>(
      `select w.id, w.hostname, w.pid, w.queues, w.concurrency, w.version, w.stopped_at is not null as stopped,
         extract(epoch from now() - w.last_heartbeat_at)::float8 as heartbeat_age,
         extract(epoch from coalesce(w.stopped_at, now()) - w.started_at)::float8 as uptime,
         w.processed, w.failed,
         (select count(*) from jobs j where j.state = 'running' and j.locked_by = w.id) as running
       from workers w
       where w.stopped_at is null or w.stopped_at > now() - interval '1 hour'
       order by (w.stopped_at is null) desc, (w.last_heartbeat_at >= now() - make_interval(secs => $1)) asc,
         w.last_heartbeat_at desc, w.id
       limit $2`,
      [offlineAfterSeconds, workerLimit],
    ),
    q.query<{
      id: number; name: string; kind: string; queue: string; state: string; batch_size: number;
      next_start_position: number; total_items: number | null; updated_age: number;
    }>(
      `select id, name, kind, queue, state, batch_size, next_start_position, total_items,
         extract(epoch from now() - updated_at)::float8 as updated_age
       from campaigns order by (state = 'running') desc, updated_at desc, id desc limit $1`,
      [campaignLimit],
    ),
    // jobs_state_id_idx: newest dead jobs without touching the rest of the table.
    q.query<{
      id: number; kind: string; queue: string; attempts: number; max_attempts: number;
      finished_age: number | null; error_line: string | null;
    }>(
      `select id, kind, queue, attempts, max_attempts,
         extract(epoch from now() - finished_at)::float8 as finished_age,
         left(split_part(last_error, E'\\n', 1), 300) as error_line
       from jobs where state = 'dead' order by id desc limit $1`,
      [deadLimit],
    ),
  ]);
  const timing = await readPendingTiming(q, counts);

  const byQueue = new Map<string, QueueSummary>();
  const queueRow = (queue: string) => {
    let row = byQueue.get(queue);
    if (!row) {
      row = { queue, ready: 0, scheduled: 0, retrying: 0, running: 0, stale: 0, oldestReadyAgeSeconds: null };
      byQueue.set(queue, row);
    }
    return row;
  };
  const byKind = new Map<string, KindCounts>();
  const kindRow = (queue: string, kind: string) => {
    const key = JSON.stringify([queue, kind]);
    let row = byKind.get(key);
    if (!row) {
      row = { queue, kind, ready: 0, scheduled: 0, running: 0, retrying: 0, dead: 0 };
      byKind.set(key, row);
    }
    return row;
  };
  for (const r of counts) {
    if (r.state !== "pending" && r.state !== "failed" && r.state !== "dead") continue;
    const qr = queueRow(r.queue);
    const kr = kindRow(r.queue, r.kind);
    if (r.state === "dead") kr.dead = r.n;
    else if (r.state === "failed") {
      kr.retrying = r.n;
      qr.retrying += r.n;
    } else {
      // The index count of scheduled ones and the counter may come from a moment apart: never below zero.
      kr.scheduled = Math.min(r.n, timing.scheduled.get(queueKindKey(r.queue, r.kind)) ?? 0);
      kr.ready = r.n - kr.scheduled;
      qr.ready += kr.ready;
      qr.scheduled += kr.scheduled;
      qr.oldestReadyAgeSeconds = timing.oldestByQueue.get(r.queue) ?? null;
    }
  }
  let onOffline = 0;
  for (const r of running) {
    const qr = queueRow(r.queue);
    kindRow(r.queue, r.kind).running = num(r.running);
    qr.running += num(r.running);
    qr.stale += num(r.stale);
    onOffline += num(r.on_offline);
  }
  const queues = [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue));
  const kinds = [...byKind.values()].sort((a, b) => a.queue.localeCompare(b.queue) || a.kind.localeCompare(b.kind));
  const sum = (k: "ready" | "scheduled" | "retrying" | "running" | "stale") => queues.reduce((n, r) => n + r[k], 0);
  const done = completions[0];
  const reltuples = num(estimate[0]?.reltuples);
  const oldest = queues.reduce<QueueSummary | null>(
    (best, r) => (r.oldestReadyAgeSeconds != null && (best == null || r.oldestReadyAgeSeconds > (best.oldestReadyAgeSeconds ?? 0)) ? r : best),
    null,
  );
  const servedRow = served[0];

  return {
    counts: {
      ready: sum("ready"),
      scheduled: sum("scheduled"),
      running: sum("running"),
      stale: sum("stale"),
      runningOnOfflineWorkers: onOffline,
      retrying: sum("retrying"),
      dead: exact(countState(counts, "dead")),
      cancelled: exact(countState(counts, "cancelled")),
      completedLastHour: num(done?.completed_1h),
      completedLast24h: num(done?.completed_24h),
      failedLastHour: num(done?.failed_1h),
      oldestReadyAgeSeconds: oldest?.oldestReadyAgeSeconds ?? null,
      oldestReadyQueue: oldest?.queue ?? null,
    },
    kinds,
    servedQueues: servedRow?.all_queues ? null : (servedRow?.queues ?? []),
    estimatedTotalJobs: reltuples >= 0 && estimate.length ? Math.round(reltuples) : null,
    queues,
    workers: {
      online: num(workerTotals[0]?.online),
      offline: num(workerTotals[0]?.offline),
      stopped: num(workerTotals[0]?.stopped),
      offlineAfterSeconds,
      list: workers.map((w) => ({
        id: w.id,
        hostname: w.hostname,
        pid: num(w.pid),
        queues: w.queues ?? [],
        concurrency: num(w.concurrency),
        version: w.version,
        status: w.stopped ? "stopped" : num(w.heartbeat_age) > offlineAfterSeconds ? "offline" : "online",
        heartbeatAgeSeconds: Math.max(0, num(w.heartbeat_age)),
        uptimeSeconds: Math.max(0, num(w.uptime)),
        processed: num(w.processed),
        failed: num(w.failed),
        running: num(w.running),
      })),
    },
    campaigns: campaigns.map((c) => ({
      id: num(c.id),
      name: c.name,
      kind: c.kind,
      queue: c.queue,
      state: c.state,
      batchSize: num(c.batch_size),
      nextStartPosition: num(c.next_start_position),
      totalItems: c.total_items == null ? null : num(c.total_items),
      updatedAgeSeconds: Math.max(0, num(c.updated_age)),
    })),
    recentDead: dead.map((d) => ({
      id: num(d.id),
      kind: d.kind,
      queue: d.queue,
      attempts: num(d.attempts),
      maxAttempts: num(d.max_attempts),
      finishedAgeSeconds: d.finished_age == null ? null : Math.max(0, num(d.finished_age)),
      errorLine: d.error_line,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Needs attention

export function pendingAgeWarnSeconds(): number {
  const raw = Number(process.env.JOBDECK_PENDING_AGE_WARN_MINUTES ?? 15);
  return (Number.isFinite(raw) && raw > 0 ? raw : 15) * 60;
}

export interface AttentionItem {
  id: string;
  severity: "bad" | "warn";
  title: string;
  /** One line: what it means and what to do. */
  explanation: string;
  href: string;
  linkLabel: string;
}

export interface DeadTrendInput {
  queue: string;
  kind: string;
  lastHour: number;
  previousHour: number;
}

function jobsHref(params: Record<string, string | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) sp.set(k, v);
  return `/jobs?${sp.toString()}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** What an operator should look at now, worst first; each item links to the page that fixes it. */
export function needsAttention(
  summary: OverviewSummary,
  deadTrend: readonly DeadTrendInput[],
  { warnSeconds = pendingAgeWarnSeconds() }: { warnSeconds?: number } = {},
): AttentionItem[] {
  const items: AttentionItem[] = [];
  const c = summary.counts;
  if (c.stale > 0) {
    items.push({
      id: "stale",
      severity: "bad",
      title: `${plural(c.stale, "stale lock")}`,
      explanation: "Running jobs whose lease expired: their worker stopped heartbeating. Recovering puts them back to pending.",
      href: "/stale",
      linkLabel: "Recover stale locks",
    });
  }
  if (c.runningOnOfflineWorkers > 0) {
    items.push({
      id: "offline-holding",
      severity: "bad",
      title: `${plural(c.runningOnOfflineWorkers, "job")} held by offline workers`,
      explanation: "Workers that stopped heartbeating still hold these jobs; recover them per worker instead of waiting for the lease.",
      href: "/workers",
      linkLabel: "Open workers",
    });
  }
  for (const t of [...deadTrend].filter((t) => t.lastHour > t.previousHour).sort((a, b) => b.lastHour - a.lastHour).slice(0, 3)) {
    items.push({
      id: `dead-rising-${t.queue}-${t.kind}`,
      severity: "bad",
      title: `Dead jobs rising: ${t.kind} in ${t.queue}`,
      explanation: `${plural(t.lastHour, "job")} went dead in the last hour, ${t.previousHour.toLocaleString("en-US")} the hour before. Read their errors, fix the cause, then retry them.`,
      href: jobsHref({ state: "dead", kind: t.kind, queue: t.queue, finishedSince: "1h" }),
      linkLabel: "Open dead jobs",
    });
  }
  for (const q of summary.queues) {
    if (q.oldestReadyAgeSeconds != null && q.oldestReadyAgeSeconds > warnSeconds) {
      items.push({
        id: `pending-age-${q.queue}`,
        severity: "warn",
        title: `Queue ${q.queue}: oldest ready job waiting ${Math.round(q.oldestReadyAgeSeconds / 60).toLocaleString("en-US")} min`,
        explanation: `Above the ${Math.round(warnSeconds / 60)} min threshold (JOBDECK_PENDING_AGE_WARN_MINUTES): workers are not keeping up with this queue.`,
        href: jobsHref({ state: "pending", queue: q.queue }),
        linkLabel: "Open pending jobs",
      });
    }
  }
  const served = summary.servedQueues;
  if (served !== null) {
    for (const q of summary.queues) {
      if (q.ready + q.retrying > 0 && !served.includes(q.queue)) {
        items.push({
          id: `unserved-${q.queue}`,
          severity: "warn",
          title: `Queue ${q.queue} has no online worker`,
          explanation: `${plural(q.ready + q.retrying, "job")} wait${q.ready + q.retrying === 1 ? "s" : ""} here but no online worker claims from this queue: start one with --queues ${q.queue} (or without --queues).`,
          href: "/workers",
          linkLabel: "Open workers",
        });
      }
    }
  }
  return items;
}
