// The admin jobs endpoints for another source (`?source=billing`): list, detail, single-job and
// bulk actions, recover-stale. Everything goes through the Source interface (lib/sources/types):
// no SQL on a foreign schema here. The routes of lib/api/jobs-handlers call these when the
// `source` is not the native one; the native paths there are unchanged.
import "server-only";
import type { Database } from "@/db/client";
import type { Actor } from "../audit/record";
import { bulkConfirmThreshold, bulkGuard, mayChangeJobs } from "../auth/bulk-limit";
import { type Caller, redactionFor } from "../auth/caller";
import { type JobCriteria, JobFilterError } from "../filters/job-filter";
import { sourceFromParam } from "../server/sources";
import { checkSourceGuard } from "../sources/audited-action";
import { type ActionContext, type ActionInput, type ActionResult, auditActionName, type RecoverInput, type Source, type SourceAction } from "../sources/types";
import { ApiError, badRequest, NO_STORE, notFound } from "./errors";
import { type FilterFields, spendBudget, toCriteria } from "./job-filters";
import { DEFAULT_PER_PAGE } from "./schemas";
import { countSkipped, foreignApiJob, foreignDetailBody, foreignDetailJob, foreignSummary } from "./source-jobs";

export interface ForeignCall {
  source: Source;
  db: Database;
  caller: Caller;
  actor: Actor;
}

/** Another source's handlers get the Source and the caller; the native paths below never open the registry. */
export async function foreignCall(ctx: Omit<ForeignCall, "source">, name: string | undefined): Promise<ForeignCall> {
  return { source: await sourceFromParam(name), db: ctx.db, caller: ctx.caller, actor: ctx.actor };
}

/** API changes are audited as api.jobs.* (ActionContext.auditPrefix) by the source's adapter. */
const AUDIT_PREFIX = "api.jobs";

const actionContext = (c: ForeignCall, reason: string | null, guard?: (n: number) => void): ActionContext => ({
  control: c.db,
  actor: c.actor,
  reason,
  auditPrefix: AUDIT_PREFIX,
  ...(guard ? { guard } : {}),
});

/** A cursor the source did not hand out is a 400 naming `cursor` (adapters call it before/after). */
export async function withCursorErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof JobFilterError && (err.field === "before" || err.field === "after")) {
      const message = "cursor is not a cursor of this source: pass the next_cursor of the previous page";
      throw badRequest(message, { cursor: [message] });
    }
    throw err;
  }
}

export async function listForeignJobs(c: ForeignCall, query: FilterFields & { page?: number; per_page?: number; cursor?: unknown }) {
  const perPage = query.per_page ?? DEFAULT_PER_PAGE;
  const cursor = query.cursor as string | undefined;
  if (query.page !== undefined && cursor !== undefined) throw badRequest("give page or cursor, not both", { page: ["give page or cursor, not both"] });
  if (query.page !== undefined && query.page > 1) {
    const message = `source "${c.source.name}" pages by cursor only: pass next_cursor as cursor (page=N walks the jobdeck source's ids)`;
    throw badRequest(message, { page: [message] });
  }
  const criteria = toCriteria(query);
  spendBudget(c.caller, criteria);
  const [summary, page] = await Promise.all([c.source.summary(), withCursorErrors(() => c.source.listJobs({ criteria, limit: perPage, before: cursor }))]);
  const now = Date.now();
  const body = {
    source: c.source.name,
    summary: foreignSummary(summary),
    jobs: page.jobs.map((j) => foreignApiJob(c.source.name, j, now)),
    page: cursor === undefined ? 1 : null,
    per_page: perPage,
    next_cursor: page.next,
    prev_cursor: page.prev,
    has_more: page.next !== null,
  };
  return Response.json(body, { headers: { ...NO_STORE, ...redactionFor(c.caller).headers } });
}

/** The key of a path segment; a string no job of this source can have is a 404 like a missing job. */
function keyOf(source: Source, raw: string): string {
  const key = source.parseKey(raw);
  if (key === null) throw notFound(`job ${raw.slice(0, 100)} does not exist in source "${source.name}"`);
  return key;
}

export async function foreignJobDetail(c: ForeignCall, raw: string) {
  const d = await c.source.getJob(keyOf(c.source, raw));
  if (!d) throw notFound(`job ${raw.slice(0, 100)} does not exist in source "${c.source.name}"`);
  const r = redactionFor(c.caller);
  return Response.json(foreignDetailBody(c.source.name, d, r), { headers: { ...NO_STORE, ...r.headers } });
}

/** One job's retry, cancel or priority: source.apply over its key; 404 when missing, 409 when its state does not allow it. */
export async function foreignSingleJob(c: ForeignCall, raw: string, action: SourceAction, body: { reason?: string; priority?: number }) {
  const key = keyOf(c.source, raw);
  if (!(await c.source.getJob(key))) throw notFound(`job ${raw.slice(0, 100)} does not exist in source "${c.source.name}"`);
  const r = await c.source.apply({ action, target: { keys: [key] }, priority: body.priority }, actionContext(c, body.reason ?? null));
  if (r.affected === 0) {
    const reason = Object.keys(r.skipped)[0] ?? "the source changed nothing";
    if (reason.startsWith("not found")) throw notFound(`job ${key} does not exist in source "${c.source.name}" (${reason})`);
    throw new ApiError(409, reason.startsWith("running") ? "job_running" : "conflict", `job ${key} was not changed: ${reason}`);
  }
  const after = await c.source.getJob(key);
  return { source: c.source.name, job: after ? foreignDetailJob(c.source.name, after) : null, changed: true };
}

/** Distinct keys of this source from a body or NDJSON; a string that cannot be one of its jobs is a 400. */
export function sourceKeys(source: Source, raw: readonly unknown[]): string[] {
  const keys = new Set<string>();
  for (const v of raw) {
    const key = typeof v === "string" || typeof v === "number" ? source.parseKey(String(v)) : null;
    if (key === null) throw badRequest(`"${String(v).slice(0, 80)}" is not a job key of source "${source.name}"`, { ids: ["not a job key of this source"] });
    keys.add(key);
  }
  return [...keys];
}

export interface ForeignBulkRequest {
  target: { keys: string[] } | { criteria: JobCriteria };
  dryRun: boolean;
  includeCompleted: boolean;
  reason: string | null;
}

function bulkResult(c: ForeignCall, action: "retry" | "cancel", r: Pick<ActionResult, "matched" | "affected" | "skipped">) {
  return {
    source: c.source.name,
    action,
    matched: r.matched,
    affected: r.affected,
    skipped_running: countSkipped(r.skipped, "running"),
    skipped: r.skipped,
    not_found: countSkipped(r.skipped, "not found"),
  };
}

/**
 * Bulk retry/cancel by keys or filter. The admin threshold counts what the native path counts:
 * the distinct keys given (asked here before anything changes, a refusal audited), or for a
 * filter what the adapter's preview says would change (the adapter asks its guard). A dry run's
 * `allowed` is judged by that same count.
 */
export async function foreignBulk(c: ForeignCall, action: "retry" | "cancel", req: ForeignBulkRequest) {
  const target = "keys" in req.target ? { keys: req.target.keys } : { criteria: req.target.criteria };
  const input: ActionInput = { action, target, includeCompleted: action === "retry" && req.includeCompleted };
  if (req.dryRun) {
    const p = await c.source.preview(input);
    const count = target.keys ? target.keys.length : p.willChange;
    return {
      ...bulkResult(c, action, { matched: p.matched, affected: p.willChange, skipped: p.skipped }),
      dry_run: true,
      matched_capped: p.matchedCapped,
      keys: null,
      keys_truncated: false,
      allowed: mayChangeJobs(c.caller, count),
      bulk_confirm_threshold: bulkConfirmThreshold(),
    };
  }
  const guard = bulkGuard(c.caller);
  if (target.keys) {
    const audit = auditActionName(AUDIT_PREFIX, action);
    await checkSourceGuard({ control: c.db, source: c.source.name, actor: c.actor, action: audit, reason: req.reason, guard, willChange: target.keys.length, targetKeys: target.keys });
  }
  const r = await c.source.apply(input, actionContext(c, req.reason, guard));
  return { ...bulkResult(c, action, r), dry_run: false, matched_capped: false, keys: r.keys, keys_truncated: r.affected > r.keys.length };
}

export async function foreignRecoverStale(c: ForeignCall, body: { ids?: unknown; worker_id?: string; force?: boolean; reason?: string }) {
  const target: RecoverInput["target"] = body.ids ? { keys: sourceKeys(c.source, body.ids as unknown[]) } : body.worker_id ? { workers: [body.worker_id] } : { all: true };
  const r = await c.source.recoverStale({ target, force: body.force === true }, actionContext(c, body.reason ?? null));
  return { source: c.source.name, recovered: r.affected, matched: r.matched, keys: r.keys, keys_truncated: r.affected > r.keys.length, skipped_by_reason: r.skipped };
}
