// Operator actions on many jobs at once — retry, cancel, set priority, run now — either on
// explicit ids or on "everything matching this filter", plus recover-stale. The Next-free core
// of the server actions (lib/actions) and the HTTP API: preview exact counts first, then apply
// in keyset batches of 1,000, each batch one short transaction holding the change and its audit
// row, so workers keep claiming meanwhile and a change never exists without its record.
import type { Database, Sql } from "../../db/client";
import { type AuditedAction, BULK_BATCH_SIZE, recordBatchAudit, runAuditedBatches } from "../audit/audited-batches";
import { type Actor, recordAudit } from "../audit/record";
import { type JobCriteria, jobFilterToSearchParams, type TimeBound, TIME_FILTER_FIELDS } from "../filters/job-filter";
import { countJobsByState, jobIdsSql } from "../queries/jobs";
import { readJobCounts } from "../queue/counters";
import { workerLeaseSummary, workerOnlineSql } from "../queries/workers";
import { recoverStale, type RecoveredJob } from "../queue/lease";
import { type BulkResult, cancelJobs, retryJobs, runNow, setPriority } from "../queue/operator";
import { prioritySchema } from "../queue/job-spec";
import { JOB_STATES, type JobState, QueueError, TRANSITIONS } from "../queue/state-machine";
import { redactJson } from "../redact";

export const BULK_ACTIONS = ["retry", "cancel", "setPriority", "runNow"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** At most this many affected ids are returned; the counts are always exact. */
export const MAX_RETURNED_IDS = 10_000;

/** What a bulk action works on: explicit ids, or every job matching the criteria (limit and cursors play no part). */
export type BulkTarget = { ids: readonly number[]; filter?: undefined } | { filter: JobCriteria; ids?: undefined };

export type BulkOptions = BulkTarget & {
  action: BulkAction;
  /** retry: also re-run completed jobs. */
  includeCompleted?: boolean;
  /** setPriority: the new priority (-100..100). */
  priority?: number;
  /** Filter only: change at most this many jobs (newest first). */
  limit?: number;
};

type Counts = Partial<Record<JobState, number>>;

/** States the action changes, and states where it only requests (cancel of a running job). */
export function bulkActionStates(action: BulkAction, includeCompleted = false): { change: JobState[]; request: JobState[] } {
  switch (action) {
    case "retry":
      return { change: [...TRANSITIONS[includeCompleted ? "retryCompleted" : "retry"]], request: [] };
    case "cancel":
      return { change: [...TRANSITIONS.cancel], request: [...TRANSITIONS.requestCancel] };
    case "setPriority":
      return { change: [...TRANSITIONS.setPriority], request: [] };
    case "runNow":
      return { change: [...TRANSITIONS.runNow], request: [] };
  }
}

export interface BulkPreview {
  action: BulkAction;
  /** Jobs matching the filter (or ids that exist). Exact. */
  matched: number;
  /** Jobs the action will change (capped by `limit` when given). */
  will_change: number;
  /** cancel only: running jobs that will be asked to stop. */
  will_request_cancel: number;
  /** Matching jobs left untouched because of their state. */
  will_skip: number;
  /** Of those, running jobs (never retried). */
  skipped_running: number;
  /** Untouched jobs by state. */
  skip_by_state: Counts;
  /** Every matching job by state. */
  by_state: Counts;
  /** ids only: ids that do not exist. */
  not_found: number;
}

/**
 * The number the bulk limit judges — what applyBulk hands its guard: the ids sent (unique), or
 * the jobs the filter would change or ask to stop (within `limit`). Previews and dry runs say
 * `allowed` from this same number, so they never promise a run that is then refused.
 */
export function bulkLimitCount(target: BulkTarget, p: Pick<BulkPreview, "will_change" | "will_request_cancel">): number {
  return target.ids ? new Set(target.ids).size : p.will_change + p.will_request_cancel;
}

function checkOptions(o: BulkOptions): void {
  if (!BULK_ACTIONS.includes(o.action)) throw new QueueError("invalid_input", `unknown bulk action "${String(o.action)}"`);
  if ((o.ids === undefined) === (o.filter === undefined)) throw new QueueError("invalid_input", "give either ids or a filter");
  if (o.action === "setPriority") {
    const p = prioritySchema.safeParse(o.priority);
    if (!p.success) throw new QueueError("invalid_input", `priority: ${p.error.issues[0].message}`);
  }
  if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1)) throw new QueueError("invalid_input", "limit must be a positive whole number");
  if (o.ids) for (const id of o.ids) if (!Number.isSafeInteger(id) || id < 1) throw new QueueError("invalid_input", `"${id}" is not a job id`);
}

function uniqueIds(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => b - a);
}

/**
 * A filter of states, kind and queue only is counted from the job counters (exact, no scan);
 * null for any other filter.
 */
async function countFromCounters(q: Sql, c: JobCriteria): Promise<Counts | null> {
  const other = Object.entries(c).some(([k, v]) => v !== undefined && k !== "states" && k !== "kind" && k !== "queue");
  if (other) return null;
  const counts: Counts = {};
  for (const r of await readJobCounts(q)) {
    if ((c.kind !== undefined && r.kind !== c.kind) || (c.queue !== undefined && r.queue !== c.queue)) continue;
    if (c.states.length && !c.states.includes(r.state)) continue;
    counts[r.state] = (counts[r.state] ?? 0) + r.n;
  }
  return counts;
}

/** Exact counts of what `applyBulk` would do now: from the job counters, or counted over the filter's states. */
export async function previewBulk(q: Sql, o: BulkOptions): Promise<BulkPreview> {
  checkOptions(o);
  const { change, request } = bulkActionStates(o.action, o.includeCompleted);
  let byState: Counts;
  let notFound = 0;
  if (o.ids) {
    const ids = uniqueIds(o.ids);
    const rows = await q.query<{ state: JobState; n: number }>(
      "select state, count(*)::int as n from jobs where id = any($1::bigint[]) group by state",
      [ids],
    );
    byState = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    notFound = ids.length - rows.reduce((s, r) => s + r.n, 0);
  } else {
    byState = (await countFromCounters(q, o.filter)) ?? (await countJobsByState(q, o.filter));
  }
  let matched = 0;
  let eligible = 0;
  let requested = 0;
  const skip: Counts = {};
  for (const s of JOB_STATES) {
    const n = byState[s] ?? 0;
    matched += n;
    if (change.includes(s)) eligible += n;
    else if (request.includes(s)) requested += n;
    else if (n) skip[s] = n;
  }
  let will_change = eligible;
  let will_request_cancel = requested;
  if (o.filter && o.limit !== undefined) {
    will_change = Math.min(eligible, o.limit);
    will_request_cancel = Math.min(requested, o.limit - will_change);
  }
  return {
    action: o.action,
    matched,
    will_change,
    will_request_cancel,
    will_skip: Object.values(skip).reduce((a, b) => a + (b ?? 0), 0),
    skipped_running: skip.running ?? 0,
    skip_by_state: skip,
    by_state: byState,
    not_found: notFound,
  };
}

export type ApplyBulkOptions = BulkOptions & {
  actor: Actor;
  /** Why, for the audit log. */
  reason?: string | null;
  /** The audit action name; default `jobs.<action>` (the HTTP API records `api.jobs.<action>`). */
  auditAction?: string;
  /**
   * Called once with the number of jobs the action would change, before anything changes; a throw
   * refuses the whole action (audited as `refused`). Web callers pass the admin-threshold rule
   * (lib/auth/bulk-limit); the CLI, which holds the database credentials, passes none.
   */
  guard?: (willChange: number) => void;
};

export interface BulkApplyResult {
  action: BulkAction;
  /** Jobs considered: ids that exist, or jobs matching the filter when the run started (exact). */
  matched: number;
  /** Jobs changed. */
  affected: number;
  /** cancel only: running jobs asked to stop. */
  cancel_requested: number;
  /** Running jobs left untouched (including ones that started running after the preview). */
  skipped_running: number;
  /** Untouched jobs by state. */
  skipped: Counts;
  /** ids only: ids that do not exist. */
  not_found: number;
  /** The changed (and cancel-requested) job ids, newest first, at most MAX_RETURNED_IDS. */
  ids: number[];
  /** True when `ids` was cut at MAX_RETURNED_IDS; the counts above are still exact. */
  ids_truncated: boolean;
  /** Transactions committed, each with its audit row. */
  batches: number;
}

export interface BulkProgress {
  batches: number;
  /** Jobs changed (or cancel-requested) so far. */
  done: number;
  /** Expected total (from the count at the start). */
  total: number;
}

/** A batch failed: the earlier batches are committed (and audited); `partial` says what they did. */
export class BulkInterruptedError extends Error {
  constructor(
    readonly partial: BulkApplyResult,
    readonly cause: unknown,
  ) {
    super(
      `stopped after ${partial.batches} batch${partial.batches === 1 ? "" : "es"} (${partial.affected + partial.cancel_requested} jobs already changed): ${(cause as Error)?.message ?? cause}`,
    );
    this.name = "BulkInterruptedError";
  }
}

const AUDIT_ACTION: Record<BulkAction, string> = {
  retry: "jobs.retry",
  cancel: "jobs.cancel",
  setPriority: "jobs.set_priority",
  runNow: "jobs.run_now",
};

function operation(o: BulkOptions): (q: Sql, ids: number[]) => Promise<BulkResult> {
  switch (o.action) {
    case "retry":
      return (q, ids) => retryJobs(q, ids, { includeCompleted: o.includeCompleted });
    case "cancel":
      return cancelJobs;
    case "setPriority":
      return (q, ids) => setPriority(q, ids, o.priority!);
    case "runNow":
      return runNow;
  }
}

/** The filter as URL-style fields, for audit rows: a payload filter's secret values (JOBDECK_REDACT_KEYS) are never stored. */
export function describeCriteria(c: JobCriteria): Record<string, string> {
  const masked = c.payloadContains === undefined ? c : { ...c, payloadContains: redactJson(c.payloadContains) };
  return Object.fromEntries(jobFilterToSearchParams(masked));
}

/** Relative time bounds (`10h`) become fixed instants, so every batch sees the same window. */
function freezeTimes(c: JobCriteria, now: Date): JobCriteria {
  const out: JobCriteria = { ...c };
  for (const k of TIME_FILTER_FIELDS) {
    const b: TimeBound | undefined = c[k];
    if (b && "ago" in b) out[k] = { at: new Date(now.getTime() - b.ago * 1000) };
  }
  return out;
}

function addCounts(into: Counts, state: JobState, n = 1) {
  into[state] = (into[state] ?? 0) + n;
}

/**
 * Applies the action. By ids: 1,000 ids per transaction. By filter: walks the jobs the action
 * applies to (its source states, plus running ones so they are reported) newest first in keyset
 * batches of 1,000; each batch selects, changes and audits in one transaction. Every statement
 * re-checks the state, so a job that started running after the preview is skipped, untouched,
 * and counted in `skipped_running`.
 */
export async function applyBulk(
  db: Database,
  o: ApplyBulkOptions,
  onProgress?: (p: BulkProgress) => void,
): Promise<BulkApplyResult> {
  checkOptions(o);
  const op = operation(o);
  const audit: AuditedAction = {
    actor: o.actor,
    action: o.auditAction ?? AUDIT_ACTION[o.action],
    reason: o.reason ?? null,
    filter: o.filter
      ? { ...describeCriteria(o.filter), ...(o.limit !== undefined ? { limit: String(o.limit) } : {}), ...(o.action === "setPriority" ? { priority: o.priority } : {}) }
      : o.action === "setPriority"
        ? { priority: o.priority }
        : undefined,
  };
  const result: BulkApplyResult = {
    action: o.action,
    matched: 0,
    affected: 0,
    cancel_requested: 0,
    skipped_running: 0,
    skipped: {},
    not_found: 0,
    ids: [],
    ids_truncated: false,
    batches: 0,
  };
  const keep = (ids: number[]) => {
    const room = MAX_RETURNED_IDS - result.ids.length;
    if (ids.length > room) result.ids_truncated = true;
    result.ids.push(...ids.slice(0, Math.max(0, room)));
  };
  const absorb = (r: BulkResult) => {
    result.affected += r.affected.length;
    result.cancel_requested += r.cancelRequested.length;
    keep([...r.affected, ...r.cancelRequested].sort((a, b) => b - a));
    for (const s of r.skipped) addCounts(result.skipped, s.state);
    result.not_found += r.notFound.length;
  };
  const finish = () => {
    result.skipped_running = result.skipped.running ?? 0;
    return result;
  };

  const checkGuard = async (willChange: number) => {
    if (!o.guard) return;
    try {
      o.guard(willChange);
    } catch (err) {
      await db.tx((q) => recordAudit(q, { ...audit, targetIds: o.ids ? uniqueIds(o.ids).slice(0, MAX_RETURNED_IDS) : null, affected: 0, outcome: "refused", details: { would_change: willChange, refused: (err as Error).message } }));
      throw err;
    }
  };

  if (o.ids) {
    const ids = uniqueIds(o.ids);
    await checkGuard(ids.length); // = bulkLimitCount
    // Counted only once a batch committed (runAuditedBatches reports progress after each commit).
    let last: BulkResult | null = null;
    try {
      await runAuditedBatches(
        db,
        ids,
        audit,
        async (q, batch) => (last = await op(q, batch)),
        (done, total) => {
          if (last) absorb(last);
          last = null;
          result.batches++;
          onProgress?.({ batches: result.batches, done: result.affected + result.cancel_requested, total });
        },
      );
    } catch (err) {
      result.matched = ids.length - result.not_found;
      throw new BulkInterruptedError(finish(), err);
    }
    result.matched = ids.length - result.not_found;
    return finish();
  }

  const { change, request } = bulkActionStates(o.action, o.includeCompleted);
  const [{ now }] = await db.query<{ now: Date }>("select now() as now");
  const criteria = freezeTimes(o.filter, now);
  const counts = await countJobsByState(db, criteria);
  const wanted = (s: JobState) => criteria.states.length === 0 || criteria.states.includes(s);
  // Walk what the action applies to, plus running jobs (few, always) so they are reported by the
  // same statement that would have changed them.
  const walk = JOB_STATES.filter((s) => wanted(s) && (change.includes(s) || request.includes(s) || s === "running"));
  for (const s of JOB_STATES) {
    const n = counts[s] ?? 0;
    result.matched += n;
    if (!walk.includes(s) && n) addCounts(result.skipped, s, n);
  }
  const eligibleTotal = JOB_STATES.filter((s) => change.includes(s) || request.includes(s)).reduce((a, s) => a + (counts[s] ?? 0), 0);
  const total = o.limit !== undefined ? Math.min(o.limit, eligibleTotal) : eligibleTotal;
  await checkGuard(total); // = bulkLimitCount: the preview's will_change + will_request_cancel
  let cursor: number | undefined;
  let remaining = o.limit ?? Number.POSITIVE_INFINITY;
  while (walk.length && remaining > 0) {
    const size = Math.min(BULK_BATCH_SIZE, remaining);
    let r: { ids: number[]; r: BulkResult } | null;
    try {
      r = await db.tx(async (q) => {
        const params: unknown[] = [];
        const rows = await q.query<{ id: number }>(jobIdsSql({ ...criteria, states: walk }, { beforeId: cursor, limit: size }, params), params);
        if (!rows.length) return null;
        const ids = rows.map((x) => x.id);
        const res = await op(q, ids);
        await recordBatchAudit(q, audit, ids, res, { batch: result.batches + 1 });
        return { ids, r: res };
      });
    } catch (err) {
      throw new BulkInterruptedError(finish(), err);
    }
    if (!r) break;
    result.batches++;
    absorb(r.r);
    remaining -= r.r.affected.length + r.r.cancelRequested.length;
    cursor = r.ids[r.ids.length - 1];
    onProgress?.({ batches: result.batches, done: result.affected + result.cancel_requested, total });
    if (r.ids.length < size) break;
  }
  return finish();
}

// ---------------------------------------------------------------------------------------------
// Recover stale

/**
 * Which running jobs to recover: these ids, every stale job, or the jobs of one offline worker —
 * always only those whose lease expired, except a worker's with `force: true`, which releases
 * its live leases too (the worker may only be paused and still run them: they could run twice).
 */
export type RecoverTarget = { ids: readonly number[] } | { all: true } | { workerId: string; force?: boolean };

export interface RecoverStaleOptions {
  target: RecoverTarget;
  actor: Actor;
  reason?: string | null;
  /** The audit action name; default `jobs.recover_stale`. */
  auditAction?: string;
}

export interface RecoverStaleResult {
  recovered: number;
  /** pending (will run again), dead (no attempts left), cancelled (a cancel had been requested). */
  by_state: { pending: number; dead: number; cancelled: number };
  ids: number[];
  ids_truncated: boolean;
  /** ids only: ids that were not recovered, with why. */
  skipped: { id: number; state: JobState; reason: string }[];
  not_found: number[];
  batches: number;
  /** By worker: its running jobs whose lease has not expired (left alone unless forced), and when those leases end. */
  still_leased?: { count: number; soonest_expiry: Date | null; last_expiry: Date | null };
}

/**
 * Recovers stale jobs in audited transactions of up to 1,000. By worker: refuses (QueueError
 * `conflict`) while the worker heartbeats, and `not_found` for an unknown worker; the check runs
 * in each batch's transaction, so a worker that comes back stops the run. Only expired leases,
 * unless the worker target says `force` (audited as forced); the result says how many of the
 * worker's jobs are still leased, and until when.
 */
export async function recoverStaleJobs(db: Database, o: RecoverStaleOptions): Promise<RecoverStaleResult> {
  const t = o.target;
  const result: RecoverStaleResult = {
    recovered: 0,
    by_state: { pending: 0, dead: 0, cancelled: 0 },
    ids: [],
    ids_truncated: false,
    skipped: [],
    not_found: [],
    batches: 0,
  };
  const mode = "ids" in t ? "ids" : "workerId" in t ? "worker" : "all";
  const force = "workerId" in t && t.force === true;
  const auditFilter = "workerId" in t ? { worker: t.workerId, ...(force ? { force: true } : {}) } : mode === "all" ? { stale: "all" } : undefined;

  const runBatch = async (fn: (q: Sql) => Promise<RecoveredJob[]>): Promise<RecoveredJob[]> => {
    const rows = await db.tx(async (q) => {
      const r = await fn(q);
      if (r.length) {
        const byState: Record<string, number> = {};
        for (const j of r) byState[j.state] = (byState[j.state] ?? 0) + 1;
        await recordAudit(q, {
          actor: o.actor,
          action: o.auditAction ?? "jobs.recover_stale",
          targetIds: r.map((j) => j.id),
          filter: auditFilter,
          affected: r.length,
          reason: o.reason ?? null,
          outcome: "ok",
          details: {
            mode,
            batch: result.batches + 1,
            by_state: byState,
            workers: [...new Set(r.map((j) => j.lockedBy))].slice(0, 50),
            ...(force ? { forced: true, unexpired_leases_released: r.filter((j) => !j.leaseExpired).length } : {}),
          },
        });
      }
      return r;
    });
    if (rows.length) result.batches++;
    for (const j of rows) {
      result.recovered++;
      result.by_state[j.state]++;
      if (result.ids.length < MAX_RETURNED_IDS) result.ids.push(j.id);
      else result.ids_truncated = true;
    }
    return rows;
  };

  if ("ids" in t) {
    for (const id of t.ids) if (!Number.isSafeInteger(id) || id < 1) throw new QueueError("invalid_input", `"${id}" is not a job id`);
    const ids = uniqueIds(t.ids);
    for (let i = 0; i < ids.length; i += BULK_BATCH_SIZE) {
      const batch = ids.slice(i, i + BULK_BATCH_SIZE);
      const rows = await runBatch((q) => recoverStale(q, { ids: batch, limit: batch.length }));
      const done = new Set(rows.map((r) => r.id));
      const rest = batch.filter((id) => !done.has(id));
      if (!rest.length) continue;
      const states = await db.query<{ id: number; state: JobState; live: boolean }>(
        "select id, state, coalesce(locked_until >= now(), false) as live from jobs where id = any($1::bigint[])",
        [rest],
      );
      const found = new Map(states.map((s) => [s.id, s]));
      for (const id of rest) {
        const s = found.get(id);
        if (!s) result.not_found.push(id);
        else
          result.skipped.push({
            id,
            state: s.state,
            reason: s.state === "running" ? "its lease has not expired; the worker still holds it" : `${s.state}, not running: nothing to recover`,
          });
      }
    }
    return result;
  }

  const workerId = "workerId" in t ? t.workerId : undefined;
  for (;;) {
    const rows = await runBatch(async (q) => {
      if (workerId !== undefined) {
        const [w] = await q.query<{ online: boolean; seconds: number }>(
          `select ${workerOnlineSql("w")} as online, extract(epoch from now() - w.last_heartbeat_at)::float8 as seconds
           from workers w where w.id = $1`,
          [workerId],
        );
        if (!w) throw new QueueError("not_found", `worker ${workerId} is not registered`);
        if (w.online) {
          throw new QueueError(
            "conflict",
            `worker ${workerId} is online (last heartbeat ${Math.round(w.seconds)} s ago); its jobs are not stale. Recover them once it is offline, or cancel them.`,
          );
        }
      }
      return recoverStale(q, workerId !== undefined ? { lockedBy: workerId, force, limit: BULK_BATCH_SIZE } : { limit: BULK_BATCH_SIZE });
    });
    if (rows.length < BULK_BATCH_SIZE) break;
  }
  if (workerId !== undefined) {
    const left = await workerLeaseSummary(db, workerId);
    result.still_leased = { count: left?.leased ?? 0, soonest_expiry: left?.soonest_expiry ?? null, last_expiry: left?.last_expiry ?? null };
  }
  return result;
}
