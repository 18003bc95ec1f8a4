// Campaign, stats and metrics endpoints (issue 6), built with apiRoute like the jobs endpoints.
import "server-only";
import type { Database, Sql } from "@/db/client";
import { bulkConfirmThreshold, bulkGuard, CAMPAIGN_LIMIT_HINT, mayChangeJobs } from "../auth/bulk-limit";
import { authorizeScope, AuthorizationError, type Caller, redactionFor } from "../auth/caller";
import { type CampaignAction, campaignActionJobs, type CampaignOpInput, cancelCampaignOp, resumeCampaignOp, retryFailedChildrenOp } from "../operations/campaigns";
import { getCampaignActionPreview, getCampaignAggregate } from "../queries/campaigns";
import { workerOnlineSql } from "../queries/workers";
import { countState, readJobCounts, readPendingTiming } from "../queue/counters";
import { RUNTIME_BUCKETS, runtimeBucketBounds } from "../queue/rollups";
import { JOB_STATES } from "../queue/state-machine";
import { NO_STORE, notFound } from "./errors";
import { ACTIVE_STATES } from "./jobs";
import { apiRoute, idParams, resolveRequestCaller } from "./route";
import { campaignActionBody } from "./schemas";

const READ = { role: "viewer", scope: "jobs:read" } as const;
const WRITE = { role: "operator", scope: "jobs:write" } as const;

export const campaignRoute = apiRoute({
  name: "GET /api/v1/admin/campaigns/{id}",
  auth: READ,
  params: idParams("campaign"),
  async handler({ db, params, caller }) {
    const c = await getCampaignAggregate(db, params.id);
    if (!c) throw notFound(`campaign ${params.id} does not exist`);
    const r = redactionFor(caller);
    return Response.json({ ...c, campaign: { ...c.campaign, params: r.json(c.campaign.params) } }, { headers: { ...NO_STORE, ...r.headers } });
  },
});

/**
 * A campaign action's dry run: what it would change now (`would_change`, the count the bulk limit
 * judges — campaignActionJobs, as in the real call), whether this caller's real call would pass
 * that limit (`allowed`), and why a queue rule would refuse it now (`refused`, or null).
 */
async function campaignDryRun(db: Database, id: number, action: CampaignAction, caller: Caller) {
  const p = await getCampaignActionPreview(db, id);
  if (!p) throw notFound(`campaign ${id} does not exist`);
  const n = campaignActionJobs(p)[action];
  const { refused, ...counts } = action === "resume" ? p.resume : action === "retryFailed" ? p.retry : action === "repairGaps" ? p.repair : p.cancel;
  return { dry_run: true, campaign_id: id, would_change: n, allowed: mayChangeJobs(caller, n), bulk_confirm_threshold: bulkConfirmThreshold(), refused, ...counts };
}

function campaignActionRoute<T extends object>(path: string, action: CampaignAction, op: (db: Database, o: CampaignOpInput) => Promise<T>) {
  return apiRoute({
    name: `POST /api/v1/admin/campaigns/{id}/${path}`,
    auth: WRITE,
    params: idParams("campaign"),
    body: campaignActionBody,
    async handler({ db, params, body, actor, caller }) {
      if (body.dry_run) return campaignDryRun(db, params.id, action, caller);
      return { dry_run: false, ...(await op(db, { campaignId: params.id, actor, reason: body.reason ?? null, guard: bulkGuard(caller, CAMPAIGN_LIMIT_HINT) })) };
    },
  });
}

export const campaignResumeRoute = campaignActionRoute("resume", "resume", resumeCampaignOp);
export const campaignRetryFailedRoute = campaignActionRoute("retry-failed", "retryFailed", retryFailedChildrenOp);
export const campaignCancelRoute = campaignActionRoute("cancel", "cancel", cancelCampaignOp);

export async function workersOnline(q: Sql): Promise<number> {
  const [r] = await q.query<{ n: number }>(`select count(*)::int as n from workers w where ${workerOnlineSql("w")}`);
  return r.n;
}

export interface Stats {
  job_queue_pending: number;
  job_queue_running: number;
  workers_online: number;
  /** When these numbers were computed (shared between callers for up to STATS_TTL_MS). */
  as_of: string;
}

async function computeStats(db: Sql): Promise<Stats> {
  const asOf = new Date().toISOString();
  const [counts, online] = await Promise.all([readJobCounts(db), workersOnline(db)]);
  return { job_queue_pending: countState(counts, "pending"), job_queue_running: countState(counts, "running"), workers_online: online, as_of: asOf };
}

// Anyone may call this endpoint, in a loop: callers share one computation while it runs and its
// answer for STATS_TTL_MS after it, per process (as_of says when it was computed); a failure is
// not kept, so the next call asks the database again.
export const STATS_TTL_MS = 2_000;
let statsCache: { doneAt: number | null; value: Promise<Stats> } | null = null;

function sharedStats(db: Sql): Promise<Stats> {
  if (statsCache && (statsCache.doneAt === null || Date.now() - statsCache.doneAt < STATS_TTL_MS)) return statsCache.value;
  const entry: { doneAt: number | null; value: Promise<Stats> } = { doneAt: null, value: computeStats(db) };
  statsCache = entry;
  entry.value.then(
    () => (entry.doneAt = Date.now()),
    () => {
      if (statsCache === entry) statsCache = null;
    },
  );
  return entry.value;
}

/** Public smoke-check counters: exact (from the job counters, never a scan), at most STATS_TTL_MS old. */
export const statsRoute = apiRoute({
  name: "GET /api/v1/stats",
  auth: "public",
  handler: ({ db }) => sharedStats(db),
});

// ---- Prometheus -----------------------------------------------------------------------------

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}`;

class Exposition {
  private out: string[] = [];
  family(name: string, type: "gauge" | "counter" | "histogram", help: string) {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, l: Record<string, string>, v: number) {
    this.out.push(`${name}${Object.keys(l).length ? labels(l) : ""} ${Number.isFinite(v) ? v : v > 0 ? "+Inf" : "NaN"}`);
  }
  text() {
    return this.out.join("\n") + "\n";
  }
}

/**
 * GET /api/metrics. Needs an API token with jobs:read (Prometheus `authorization: credentials`),
 * unless JOBDECK_METRICS_PUBLIC=1. Job counts by state and kind are exact for the active states;
 * completed/failed/dead/cancelled are counters from the job_rollups table (written by the queue
 * with every finished attempt), with the runtime histogram of completed attempts.
 */
export const metricsRoute = apiRoute({
  name: "GET /api/metrics",
  auth: "public",
  async handler({ db, request }) {
    if (process.env.JOBDECK_METRICS_PUBLIC !== "1") {
      const caller = await resolveRequestCaller(request);
      if (caller?.source !== "token") throw new AuthorizationError(401, "send an API token with the jobs:read scope (Authorization: Bearer …), or set JOBDECK_METRICS_PUBLIC=1");
      authorizeScope(caller, "jobs:read");
    }
    const [counts, scalars, rollups] = await Promise.all([
      readJobCounts(db),
      db.query<{ stale: number; online: number; reltuples: number | null }>(
        `select (select count(*)::int from jobs where state = 'running' and locked_until < now()) as stale,
           (select count(*)::int from workers w where ${workerOnlineSql("w")}) as online,
           (select reltuples::float8 from pg_class where oid = 'jobs'::regclass) as reltuples`,
      ),
      db
        .query<{ queue: string; kind: string; completed: number; failed: number; dead: number; cancelled: number; ms_sum: number; ms_n: number; hist: number[] }>(
          `select queue, kind, sum(completed)::float8 as completed, sum(failed)::float8 as failed, sum(dead)::float8 as dead,
             sum(cancelled)::float8 as cancelled, sum(runtime_ms_sum)::float8 as ms_sum, sum(runtime_count)::float8 as ms_n,
             (select array_agg(x.s order by x.b) from (
                select b, coalesce(sum(r2.runtime_hist[b + 1]), 0)::float8 as s
                from job_rollups r2 cross join generate_series(0, ${RUNTIME_BUCKETS - 1}) b
                where r2.queue = r.queue and r2.kind = r.kind group by b) x) as hist
           from job_rollups r group by queue, kind order by queue, kind`,
        )
        .catch((err: { code?: string }) => {
          if (err?.code === "42P01") return null; // no rollup table in this database yet
          throw err;
        }),
    ]);
    const active = counts
      .filter((r) => ACTIVE_STATES.includes(r.state))
      .sort((a, b) => a.state.localeCompare(b.state) || a.queue.localeCompare(b.queue) || a.kind.localeCompare(b.kind));
    const ages = [...(await readPendingTiming(db, counts)).oldestByQueue.values()];
    const oldest = ages.length ? Math.max(...ages) : null;
    const m = new Exposition();
    m.family("jobdeck_jobs", "gauge", "Jobs in an active state (pending, running, failed = retry scheduled) by queue and kind; exact.");
    for (const r of active) m.sample("jobdeck_jobs", { state: r.state, queue: r.queue, kind: r.kind }, r.n);
    const s = scalars[0];
    m.family("jobdeck_jobs_stale", "gauge", "Running jobs whose lease expired (recover-stale returns them to pending).");
    m.sample("jobdeck_jobs_stale", {}, s.stale);
    m.family("jobdeck_workers_online", "gauge", "Workers that heartbeated recently and have not stopped.");
    m.sample("jobdeck_workers_online", {}, s.online);
    m.family("jobdeck_oldest_pending_age_seconds", "gauge", "Seconds the oldest ready pending job has waited past its run_at (0 when none).");
    m.sample("jobdeck_oldest_pending_age_seconds", {}, oldest == null ? 0 : Math.max(0, Math.round(oldest * 1000) / 1000));
    m.family("jobdeck_jobs_estimated_total", "gauge", "All jobs in the table, the planner's estimate (pg_class.reltuples; history states are not counted exactly).");
    m.sample("jobdeck_jobs_estimated_total", {}, s.reltuples == null || s.reltuples < 0 ? 0 : Math.round(s.reltuples));
    if (rollups) {
      for (const [name, key, help] of [
        ["jobdeck_job_attempts_completed_total", "completed", "Attempts that completed (from job_rollups)."],
        ["jobdeck_job_attempts_failed_total", "failed", "Attempts that failed, retried or dead-lettered (from job_rollups)."],
        ["jobdeck_jobs_dead_total", "dead", "Attempts that dead-lettered their job (from job_rollups)."],
        ["jobdeck_jobs_cancelled_total", "cancelled", "Jobs cancelled (from job_rollups)."],
      ] as const) {
        m.family(name, "counter", help);
        for (const r of rollups) m.sample(name, { queue: r.queue, kind: r.kind }, Number(r[key]));
      }
      m.family("jobdeck_job_runtime_seconds", "histogram", "Runtime of completed attempts (log-scale buckets, from job_rollups).");
      for (const r of rollups) {
        let cum = 0;
        const l = { queue: r.queue, kind: r.kind };
        for (let i = 0; i < RUNTIME_BUCKETS - 1; i++) {
          cum += Number(r.hist[i] ?? 0);
          // Only every other bucket edge (powers of 2 ms) to keep the series count sane.
          if (i % 2 === 0 || i === RUNTIME_BUCKETS - 2) m.sample("jobdeck_job_runtime_seconds_bucket", { ...l, le: String(runtimeBucketBounds(i)[1] / 1000) }, cum);
        }
        m.sample("jobdeck_job_runtime_seconds_bucket", { ...l, le: "+Inf" }, Number(r.ms_n));
        m.sample("jobdeck_job_runtime_seconds_sum", l, Number(r.ms_sum) / 1000);
        m.sample("jobdeck_job_runtime_seconds_count", l, Number(r.ms_n));
      }
    }
    m.family("jobdeck_metrics_info", "gauge", "Which job states are exact in jobdeck_jobs.");
    m.sample("jobdeck_metrics_info", { exact_states: ACTIVE_STATES.join(","), all_states: JOB_STATES.join(",") }, 1);
    return new Response(m.text(), { headers: { ...NO_STORE, "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
  },
});
