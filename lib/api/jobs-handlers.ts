// The admin jobs endpoints (issue 6), each built with apiRoute (lib/api/route). Route files under
// app/api/v1/admin/jobs re-export these, so every rule lives here and in lib/api/route.
import "server-only";
import { type Database, type Sql } from "@/db/client";
import { type Actor, recordAudit } from "../audit/record";
import { bulkConfirmThreshold, bulkGuard, mayChangeJobs } from "../auth/bulk-limit";
import { type Caller, redactionFor } from "../auth/caller";
import { type JobCriteria, type JobFilter, parseJobFilter } from "../filters/job-filter";
import { applyBulk, bulkActionStates, bulkLimitCount, previewBulk, recoverStaleJobs, type RecoverTarget } from "../operations/bulk";
import { MAX_EXPLICIT_IDS } from "../operations/inputs";
import { getJobDetail } from "../queries/job-detail";
import { jobIdsSql } from "../queries/jobs";
import { cancelJobs, expectApplied, retryJobs, setPriority } from "../queue/operator";
import { spendExpensiveFilter } from "../server/expensive-filter-limit";
import { cappedLines, MAX_NDJSON_BODY_BYTES } from "./body";
import { ApiError, apiField, badRequest, NO_STORE, notFound, rateLimited } from "./errors";
import { exportJobs, getApiJob, getJobsSummaryShared, listApiJobs } from "./jobs";
import { apiRoute, idParams, readJsonBody } from "./route";
import {
  bulkBody,
  DEFAULT_PER_PAGE,
  exportQuery,
  listJobsQuery,
  MAX_EXPORT_LINES,
  MAX_PAGE_DEPTH,
  MAX_PER_PAGE,
  ndjsonRetryQuery,
  priorityBody,
  reasonBody,
  recoverStaleBody,
} from "./schemas";

const READ = { role: "viewer", scope: "jobs:read" } as const;
const WRITE = { role: "operator", scope: "jobs:write" } as const;

interface FilterFields {
  state?: string | string[];
  kind?: string;
  queue?: string;
  since?: string;
  error_prefix?: string;
}

/** API filter fields → the shared JobFilter (its errors name the API's fields, see lib/api/errors). */
function toFilter(f: FilterFields, page: { limit?: number; beforeId?: number }, maxLimit = MAX_PER_PAGE): JobFilter {
  return parseJobFilter(
    { state: f.state, kind: f.kind, queue: f.queue, since: f.since, errorPrefix: f.error_prefix, limit: page.limit, beforeId: page.beforeId },
    { maxLimit },
  );
}

function toCriteria(f: FilterFields): JobCriteria {
  const { limit: _l, beforeId: _b, afterId: _a, ...criteria } = toFilter(f, {});
  return criteria;
}

/** Reads with an unindexed filter (error_prefix, since) spend the caller's budget; 429 when it is spent. */
function spendBudget(caller: Caller, criteria: JobCriteria): void {
  const refusal = spendExpensiveFilter(caller, criteria, apiField);
  if (refusal) throw rateLimited(refusal);
}

export const listJobsRoute = apiRoute({
  name: "GET /api/v1/admin/jobs",
  auth: READ,
  query: listJobsQuery,
  async handler({ db, query, caller }) {
    const perPage = query.per_page ?? DEFAULT_PER_PAGE;
    if (query.page !== undefined && query.cursor !== undefined) throw badRequest("give page or cursor, not both", { page: ["give page or cursor, not both"] });
    if (query.page !== undefined && query.page * perPage > MAX_PAGE_DEPTH) {
      throw badRequest(`page × per_page must be at most ${MAX_PAGE_DEPTH.toLocaleString("en-US")}: pages are walked on the keyset; use cursor (next_cursor) to go deeper`, {
        page: [`page × per_page must be at most ${MAX_PAGE_DEPTH}`],
      });
    }
    const filter = toFilter(query, { limit: perPage, beforeId: query.cursor });
    spendBudget(caller, filter);
    const [summary, page] = await Promise.all([getJobsSummaryShared(db), listApiJobs(db, filter, query.page)]);
    // No payloads in the list; the header still tells a script what this caller's reads get.
    const body = { summary, jobs: page.jobs, page: query.page ?? (query.cursor === undefined ? 1 : null), per_page: perPage, next_cursor: page.next_cursor, has_more: page.has_more };
    return Response.json(body, { headers: { ...NO_STORE, ...redactionFor(caller).headers } });
  },
});

export const jobDetailRoute = apiRoute({
  name: "GET /api/v1/admin/jobs/{id}",
  auth: READ,
  params: idParams("job"),
  async handler({ db, params, caller }) {
    const [d, job] = await Promise.all([getJobDetail(db, params.id, { attemptLimit: 50 }), getApiJob(db, params.id)]);
    if (!d || !job) throw notFound(`job ${params.id} does not exist`);
    const r = redactionFor(caller);
    const body = {
      job: { ...job, payload: r.json(d.job.payload), result: r.json(d.job.result), progress: d.job.progress, cancel_requested_at: d.job.cancel_requested_at, parent_id: d.job.parent_id },
      attempts: d.attempts.map((a) => ({ attempt: a.attempt, worker_id: a.worker_id, started_at: a.started_at, finished_at: a.finished_at, outcome: a.outcome, error: a.error })),
      attempts_total: d.attempts_total,
      worker_online: d.worker_online,
    };
    return Response.json(body, { headers: { ...NO_STORE, ...r.headers } });
  },
});

async function singleJob(db: Database, id: number, fn: (q: Sql) => Promise<Record<string, unknown>>) {
  const extra = await db.tx(fn);
  const job = await getApiJob(db, id);
  if (!job) throw notFound(`job ${id} does not exist`);
  return { job, changed: true, ...extra };
}

export const retryJobRoute = apiRoute({
  name: "POST /api/v1/admin/jobs/{id}/retry",
  auth: WRITE,
  params: idParams("job"),
  body: reasonBody,
  handler: ({ db, params, body, actor }) =>
    singleJob(db, params.id, async (q) => {
      expectApplied("retry", params.id, await retryJobs(q, [params.id]));
      await recordAudit(q, { actor, action: "api.jobs.retry", targetIds: [params.id], affected: 1, reason: body.reason ?? null, outcome: "ok" });
      return {};
    }),
});

export const cancelJobRoute = apiRoute({
  name: "POST /api/v1/admin/jobs/{id}/cancel",
  auth: WRITE,
  params: idParams("job"),
  body: reasonBody,
  handler: ({ db, params, body, actor }) =>
    singleJob(db, params.id, async (q) => {
      const r = expectApplied("cancel", params.id, await cancelJobs(q, [params.id]));
      const requested = r.cancelRequested.includes(params.id);
      await recordAudit(q, {
        actor,
        action: "api.jobs.cancel",
        targetIds: [params.id],
        affected: 1,
        reason: body.reason ?? null,
        outcome: "ok",
        ...(requested ? { details: { cancel_requested: [params.id] } } : {}),
      });
      return { cancel_requested: requested };
    }),
});

export const priorityJobRoute = apiRoute({
  name: "POST /api/v1/admin/jobs/{id}/priority",
  auth: WRITE,
  params: idParams("job"),
  body: priorityBody,
  handler: ({ db, params, body, actor }) =>
    singleJob(db, params.id, async (q) => {
      expectApplied("setPriority", params.id, await setPriority(q, [params.id], body.priority));
      await recordAudit(q, {
        actor,
        action: "api.jobs.set_priority",
        targetIds: [params.id],
        filter: { priority: body.priority },
        affected: 1,
        reason: body.reason ?? null,
        outcome: "ok",
      });
      return {};
    }),
});

export const recoverStaleRoute = apiRoute({
  name: "POST /api/v1/admin/jobs/recover-stale",
  auth: WRITE,
  body: recoverStaleBody,
  async handler({ db, body, actor }) {
    if (body.ids && body.worker_id) throw badRequest("give ids or worker_id (or neither, for every stale job), not both");
    if (body.force && !body.worker_id) throw badRequest("force applies to one offline worker's jobs: give worker_id", { force: ["needs worker_id"] });
    const target: RecoverTarget = body.ids ? { ids: body.ids } : body.worker_id ? { workerId: body.worker_id, force: body.force === true } : { all: true };
    const r = await recoverStaleJobs(db, { target, actor, reason: body.reason ?? null, auditAction: "api.jobs.recover_stale" });
    return {
      recovered: r.recovered,
      by_state: r.by_state,
      ids: r.ids,
      ids_truncated: r.ids_truncated,
      skipped: r.skipped,
      not_found: r.not_found,
      ...(r.still_leased ? { still_leased: r.still_leased } : {}),
    };
  },
});

type BulkApiAction = "retry" | "cancel";

interface BulkRequest {
  target: { ids: number[] } | { filter: JobCriteria };
  limit?: number;
  dryRun: boolean;
  includeCompleted: boolean;
  reason: string | null;
}

async function runBulk(db: Database, action: BulkApiAction, req: BulkRequest, caller: Caller, actor: Actor) {
  const includeCompleted = action === "retry" && req.includeCompleted;
  const target = "ids" in req.target ? { ids: req.target.ids } : { filter: req.target.filter, limit: req.limit };
  if (req.dryRun) {
    const p = await previewBulk(db, { action, ...target, includeCompleted });
    const { change } = bulkActionStates(action, includeCompleted);
    const cap = Math.min(1_000, req.limit ?? 1_000);
    let ids: number[];
    if ("ids" in req.target) {
      ids = (await db.query<{ id: number }>("select id from jobs where id = any($1::bigint[]) and state = any($2::text[]) order by id desc limit $3", [req.target.ids, change, cap])).map((r) => r.id);
    } else {
      const filter = req.target.filter;
      const wanted = filter.states.length ? change.filter((s) => filter.states.includes(s)) : change;
      const params: unknown[] = [];
      ids = wanted.length ? (await db.query<{ id: number }>(jobIdsSql({ ...filter, states: wanted }, { limit: cap }, params), params)).map((r) => r.id) : [];
    }
    return {
      action,
      dry_run: true,
      matched: p.matched,
      affected: p.will_change,
      cancel_requested: p.will_request_cancel,
      skipped_running: p.skipped_running,
      skipped: p.skip_by_state,
      not_found: p.not_found,
      ids,
      ids_truncated: p.will_change > ids.length,
      // Whether the real run would be refused for this caller: the count applyBulk's guard judges.
      allowed: mayChangeJobs(caller, bulkLimitCount(target, p)),
      bulk_confirm_threshold: bulkConfirmThreshold(),
    };
  }
  const r = await applyBulk(db, { action, ...target, includeCompleted, reason: req.reason, actor, auditAction: `api.jobs.${action}`, guard: bulkGuard(caller) });
  return {
    action,
    dry_run: false,
    matched: r.matched,
    affected: r.affected,
    cancel_requested: r.cancel_requested,
    skipped_running: r.skipped_running,
    skipped: r.skipped,
    not_found: r.not_found,
    ids: r.ids,
    ids_truncated: r.ids_truncated,
  };
}

const hasFilter = (b: FilterFields) => [b.state, b.kind, b.queue, b.since, b.error_prefix].some((v) => v !== undefined && v !== "" && !(Array.isArray(v) && !v.length));

async function jsonBulkRequest(request: Request): Promise<BulkRequest> {
  const body = bulkBody.parse(await readJsonBody(request));
  if (body.ids && hasFilter(body)) throw badRequest("give ids or filter fields, not both");
  if (!body.ids && !hasFilter(body)) {
    throw badRequest("give a filter (state, kind, queue, since, error_prefix) or ids; an empty filter would match every job");
  }
  return {
    target: body.ids ? { ids: body.ids } : { filter: toCriteria(body) },
    limit: body.limit,
    dryRun: body.dry_run ?? false,
    includeCompleted: body.include_completed ?? false,
    reason: body.reason ?? null,
  };
}

/**
 * NDJSON lines as exported by GET /api/v1/admin/jobs/export: each a JSON object with an `id`.
 * Parsed line by line as the body arrives, at most MAX_NDJSON_BODY_BYTES (413 beyond).
 */
export async function ndjsonIds(request: Request): Promise<number[]> {
  const ids: number[] = [];
  let i = 0;
  for await (const raw of cappedLines(request, MAX_NDJSON_BODY_BYTES, "NDJSON")) {
    i++;
    const line = raw.trim();
    if (!line) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw badRequest(`line ${i}: not JSON (${(err as Error).message})`, { body: [`line ${i}: not JSON`] });
    }
    const id = (v as { id?: unknown } | null)?.id;
    if (typeof v !== "object" || v === null || typeof id !== "number" || !Number.isSafeInteger(id) || id < 1) {
      throw badRequest(`line ${i}: each line must be a JSON object with a job "id" (a positive whole number)`, { body: [`line ${i}: no job id`] });
    }
    ids.push(id);
    if (ids.length > MAX_EXPLICIT_IDS) throw badRequest(`at most ${MAX_EXPLICIT_IDS.toLocaleString("en-US")} lines at once; split the input`);
  }
  if (!ids.length) throw badRequest("the NDJSON body has no lines");
  return ids;
}

const isNdjson = (request: Request) => /ndjson|jsonl|json-seq/i.test(request.headers.get("content-type") ?? "");

function bulkRoute(action: BulkApiAction) {
  return apiRoute({
    name: `POST /api/v1/admin/jobs/${action}`,
    auth: WRITE,
    body: bulkBody,
    rawBody: true,
    query: action === "retry" ? ndjsonRetryQuery : undefined,
    async handler({ db, request, query, actor, caller }) {
      let req: BulkRequest;
      if (isNdjson(request)) {
        if (action !== "retry") throw new ApiError(415, "unsupported_media_type", "cancel takes a JSON body; NDJSON is accepted by POST /api/v1/admin/jobs/retry");
        const q = query as { dry_run?: boolean; include_completed?: boolean; reason?: string } | undefined;
        req = { target: { ids: await ndjsonIds(request) }, dryRun: q?.dry_run ?? false, includeCompleted: q?.include_completed ?? false, reason: q?.reason ?? null };
      } else {
        const q = query as Record<string, unknown> | undefined;
        if (q && Object.values(q).some((v) => v !== undefined)) throw badRequest("query parameters apply to NDJSON bodies only; put dry_run and reason in the JSON body");
        req = await jsonBulkRequest(request);
      }
      return runBulk(db, action, req, caller, actor);
    },
  });
}

export const bulkRetryRoute = bulkRoute("retry");
export const bulkCancelRoute = bulkRoute("cancel");

export const exportRoute = apiRoute({
  name: "GET /api/v1/admin/jobs/export",
  auth: READ,
  query: exportQuery,
  async handler({ db, query, caller }) {
    const criteria = toCriteria(query);
    spendBudget(caller, criteria);
    const limit = query.limit ?? MAX_EXPORT_LINES;
    const r = redactionFor(caller);
    const encoder = new TextEncoder();
    const batches = exportJobs(db, criteria, { beforeId: query.cursor, limit });
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { value, done } = await batches.next();
          if (done) return controller.close();
          controller.enqueue(encoder.encode(value.map((j) => JSON.stringify({ ...j, payload: r.json(j.payload) })).join("\n") + "\n"));
        } catch (err) {
          console.error("[jobdeck] api export failed mid-stream:", err);
          controller.enqueue(encoder.encode(JSON.stringify({ error: { code: "internal", message: "the export stopped early; the details were logged" } }) + "\n"));
          controller.close();
        }
      },
      async cancel() {
        await batches.return(undefined);
      },
    });
    return new Response(stream, { headers: { ...NO_STORE, ...r.headers, "content-type": "application/x-ndjson; charset=utf-8" } });
  },
});
