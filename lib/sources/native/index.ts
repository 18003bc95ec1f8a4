// The native source `jobdeck`: Jobdeck's own queue in the control database, behind the same
// interface as every other source. It only delegates to lib/queries, lib/queue and
// lib/operations — the very same SQL the pages and the API ran before the seam — so its
// benchmarks do not move. Keys are the numeric job ids as strings.
import type { Database } from "../../../db/client";
import { describeUrl } from "../../../db/client";
import { describeDbError } from "../../../db/outage";
import type { JobFilter } from "../../filters/job-filter";
import { applyBulk, type BulkAction, previewBulk, recoverStaleJobs, type RecoverStaleResult } from "../../operations/bulk";
import { getJobDetail } from "../../queries/job-detail";
import { countJobsCapped, listJobsPage } from "../../queries/jobs";
import { getOverviewSeries } from "../../queries/rollups";
import { listStaleLocks } from "../../queries/stale";
import { getOverviewSummary } from "../../queries/summary";
import { listWorkers } from "../../queries/workers";
import { JOB_STATES } from "../../queue/state-machine";
import { JOBDECK_VERSION } from "../../version";
import { sharedFor } from "../cache";
import { capabilitySet } from "../capabilities";
import {
  type ActionInput,
  type ActionResult,
  auditActionName,
  NATIVE_SOURCE,
  type Source,
  type SourceAction,
  type SourceHealth,
  type SourceSummary,
} from "../types";
import { jobDetailFrom, jobFromPageRow, staleFrom, workerFrom } from "./map";

const BULK_ACTION: Record<SourceAction, BulkAction> = { retry: "retry", cancel: "cancel", priority: "setPriority", runNow: "runNow" };
const SUMMARY_TTL_MS = 2_000;

/** A native key: a positive whole number that fits a bigint. */
export function parseNativeKey(raw: string): string | null {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return null;
  return Number.isSafeInteger(Number(raw)) ? raw : null;
}

function ids(keys: readonly string[]): number[] {
  return keys.map((k) => {
    const key = parseNativeKey(k);
    if (key === null) throw Object.assign(new Error(`"${k}" is not a job id`), { code: "invalid_input" });
    return Number(key);
  });
}

function bulkOptions(input: ActionInput) {
  const target = input.target.keys ? { ids: ids(input.target.keys) } : { filter: input.target.criteria! };
  return { ...target, action: BULK_ACTION[input.action], includeCompleted: input.includeCompleted, priority: input.priority };
}

async function summarize(db: Database): Promise<SourceSummary> {
  const s = await getOverviewSummary({ q: db, workerLimit: 0, campaignLimit: 0, deadLimit: 0 });
  const c = s.counts;
  const exact = (value: number) => ({ value, capped: false });
  return {
    asOf: new Date().toISOString(),
    counts: { pending: exact(c.ready + c.scheduled), running: exact(c.running), failed: exact(c.retrying), dead: c.dead, cancelled: c.cancelled },
    oldestPendingAgeSeconds: c.oldestReadyAgeSeconds,
    failedLastHour: c.failedLastHour,
    completedLastHour: c.completedLastHour,
    workers: { online: s.workers.online, offline: s.workers.offline },
    stale: c.stale,
    queues: s.queues.map((q) => ({
      queue: q.queue,
      pending: q.ready + q.scheduled,
      running: q.running,
      failed: q.retrying,
      oldestPendingAgeSeconds: q.oldestReadyAgeSeconds,
      note: q.stale ? `${q.stale} stale` : null,
    })),
  };
}

/** `db` takes the writes (and is the source's health); `read` every read (a replica when configured). */
export function createNativeSource(db: Database, read: Database = db): Source {
  const summary = sharedFor(SUMMARY_TTL_MS, () => summarize(read));
  const capabilities = capabilitySet({});
  return {
    name: NATIVE_SOURCE,
    kind: "jobdeck",
    parseKey: parseNativeKey,

    async info() {
      return {
        name: NATIVE_SOURCE,
        kind: "jobdeck",
        library: "jobdeck",
        libraryVersion: JOBDECK_VERSION,
        schemaVersion: null,
        location: process.env.DATABASE_URL ? describeUrl(process.env.DATABASE_URL) : db.label,
        readOnly: false,
        readOnlyReason: null,
        capabilities,
        unsupportedFilters: {},
        stateMap: JOB_STATES.map((s) => ({ native: s, state: s })),
      };
    },

    async health(): Promise<SourceHealth> {
      const started = Date.now();
      try {
        await db.query("select 1");
        return { ok: true, checkedAt: new Date().toISOString(), latencyMs: Date.now() - started, error: null, breaker: "closed" };
      } catch (err) {
        return { ok: false, checkedAt: new Date().toISOString(), latencyMs: null, error: describeDbError(err), breaker: "closed" };
      }
    },

    async listJobs(q) {
      const filter: JobFilter = { ...q.criteria, limit: q.limit };
      if (q.before !== undefined) filter.beforeId = ids([q.before])[0];
      if (q.after !== undefined) filter.afterId = ids([q.after])[0];
      const page = await listJobsPage(read, filter);
      return {
        jobs: page.jobs.map(jobFromPageRow),
        next: page.nextBeforeId == null ? null : String(page.nextBeforeId),
        prev: page.prevAfterId == null ? null : String(page.prevAfterId),
      };
    },

    countJobs: (criteria, cap) => countJobsCapped(read, criteria, cap),

    async getJob(key) {
      const id = parseNativeKey(key);
      if (id === null) return null;
      const d = await getJobDetail(read, Number(id), { attemptLimit: 100 });
      return d ? jobDetailFrom(d) : null;
    },

    listWorkers: async () => (await listWorkers(read)).map(workerFrom),
    listStale: async () => (await listStaleLocks(read)).map(staleFrom),
    summary,
    series: (range) => getOverviewSeries({ q: read, range }),

    async preview(input) {
      const p = await previewBulk(read, bulkOptions(input));
      const skipped: Record<string, number> = {};
      for (const [state, n] of Object.entries(p.skip_by_state)) if (n) skipped[state] = n;
      if (p.not_found) skipped["not found"] = p.not_found;
      return { matched: p.matched, matchedCapped: false, willChange: p.will_change + p.will_request_cancel, skipped };
    },

    async apply(input, ctx): Promise<ActionResult> {
      const r = await applyBulk(db, {
        ...bulkOptions(input),
        actor: ctx.actor,
        reason: ctx.reason,
        auditAction: auditActionName(ctx.auditPrefix, input.action),
        guard: ctx.guard,
      });
      const skipped: Record<string, number> = {};
      for (const [state, n] of Object.entries(r.skipped)) if (n) skipped[state] = n;
      if (r.not_found) skipped["not found"] = r.not_found;
      return { matched: r.matched, affected: r.affected + r.cancel_requested, skipped, keys: r.ids.map(String), auditIds: [] };
    },

    async recoverStale(input, ctx): Promise<ActionResult> {
      const t = input.target;
      const base = { actor: ctx.actor, reason: ctx.reason, auditAction: auditActionName(ctx.auditPrefix, "recoverStale") };
      const results: RecoverStaleResult[] = [];
      if ("keys" in t) results.push(await recoverStaleJobs(db, { ...base, target: { ids: ids(t.keys) } }));
      else if ("all" in t) results.push(await recoverStaleJobs(db, { ...base, target: { all: true } }));
      else for (const w of t.workers) results.push(await recoverStaleJobs(db, { ...base, target: { workerId: w, force: input.force } }));
      const skipped: Record<string, number> = {};
      for (const r of results) for (const s of r.skipped) skipped[s.reason] = (skipped[s.reason] ?? 0) + 1;
      const notFound = results.reduce((n, r) => n + r.not_found.length, 0);
      if (notFound) skipped["not found"] = notFound;
      const leased = results.reduce((n, r) => n + (r.still_leased?.count ?? 0), 0);
      if (leased) skipped["lease not expired (force releases it)"] = leased;
      const affected = results.reduce((n, r) => n + r.recovered, 0);
      return { matched: affected + Object.values(skipped).reduce((a, b) => a + b, 0), affected, skipped, keys: results.flatMap((r) => r.ids.map(String)), auditIds: [] };
    },

    close: async () => {},
  };
}
