// The admin jobs endpoints (issue 6), each built with apiRoute (lib/api/route). Route files under
// app/api/v1/admin/jobs re-export these, so every rule lives here and in lib/api/route. The bulk
// endpoints live in lib/api/bulk-handlers; another source's paths in lib/api/source-jobs-handlers.
import "server-only";
import { z } from "zod";
import { type Database, type Sql } from "@/db/client";
import { type Actor, recordAudit } from "../audit/record";
import { redactionFor } from "../auth/caller";
import { recoverStaleJobs, type RecoverTarget } from "../operations/bulk";
import { getJobDetail } from "../queries/job-detail";
import { cancelJobs, expectApplied, retryJobs, setPriority } from "../queue/operator";
import type { SourceAction } from "../sources/types";
import { oneSource } from "./bulk-handlers";
import { badRequest, NO_STORE, notFound } from "./errors";
import { spendBudget, toCriteria, toFilter } from "./job-filters";
import { exportJobs, getApiJob, getJobsSummaryShared, listApiJobs } from "./jobs";
import { apiRoute, idParams, readJsonBody } from "./route";
import {
  DEFAULT_PER_PAGE,
  exportQuery,
  isNativeSourceParam,
  listJobsQuery,
  MAX_EXPORT_LINES,
  MAX_PAGE_DEPTH,
  nativeCursorValue,
  priorityBody,
  reasonBody,
  recoverStaleBodyFor,
  sourceQuery,
} from "./schemas";
import { exportForeignJobs } from "./source-export";
import { foreignCall, foreignJobDetail, foreignRecoverStale, foreignSingleJob, listForeignJobs, withCursorErrors } from "./source-jobs-handlers";

const READ = { role: "viewer", scope: "jobs:read" } as const;
const WRITE = { role: "operator", scope: "jobs:write" } as const;

/** A job path segment: any string here; the native source checks it as before (idParams), another source parses its key. */
const jobKeyParams = z.object({ id: z.string() });

export const listJobsRoute = apiRoute({
  name: "GET /api/v1/admin/jobs",
  auth: READ,
  query: listJobsQuery,
  async handler({ db, query, caller, actor }) {
    if (!isNativeSourceParam(query.source)) return listForeignJobs(await foreignCall({ db, caller, actor }, query.source), query);
    const perPage = query.per_page ?? DEFAULT_PER_PAGE;
    const cursor = nativeCursorValue(query.cursor);
    if (query.page !== undefined && cursor !== undefined) throw badRequest("give page or cursor, not both", { page: ["give page or cursor, not both"] });
    if (query.page !== undefined && query.page * perPage > MAX_PAGE_DEPTH) {
      throw badRequest(`page × per_page must be at most ${MAX_PAGE_DEPTH.toLocaleString("en-US")}: pages are walked on the keyset; use cursor (next_cursor) to go deeper`, {
        page: [`page × per_page must be at most ${MAX_PAGE_DEPTH}`],
      });
    }
    const filter = toFilter(query, { limit: perPage, beforeId: cursor });
    spendBudget(caller, filter);
    const [summary, page] = await Promise.all([getJobsSummaryShared(db), listApiJobs(db, filter, query.page)]);
    // No payloads in the list; the header still tells a script what this caller's reads get.
    const body = { summary, jobs: page.jobs, page: query.page ?? (cursor === undefined ? 1 : null), per_page: perPage, next_cursor: page.next_cursor, has_more: page.has_more };
    return Response.json(body, { headers: { ...NO_STORE, ...redactionFor(caller).headers } });
  },
});

export const jobDetailRoute = apiRoute({
  name: "GET /api/v1/admin/jobs/{id}",
  auth: READ,
  params: jobKeyParams,
  query: sourceQuery,
  async handler({ db, params: raw, query, caller, actor }) {
    if (!isNativeSourceParam(query.source)) return foreignJobDetail(await foreignCall({ db, caller, actor }, query.source), raw.id);
    const params = idParams("job").parse(raw);
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

/**
 * POST /api/v1/admin/jobs/{id}/<action>: the native source checks the id and the body in their
 * old order and runs `native`; another source (`?source=`) acts through source.apply on the key.
 */
function singleJobRoute<B extends z.ZodType<{ reason?: string; priority?: number }>>(
  path: "retry" | "cancel" | "priority",
  action: SourceAction,
  bodySchema: B,
  native: (db: Database, id: number, body: z.output<B>, actor: Actor) => Promise<object>,
) {
  return apiRoute({
    name: `POST /api/v1/admin/jobs/{id}/${path}`,
    auth: WRITE,
    params: jobKeyParams,
    query: sourceQuery,
    body: bodySchema,
    rawBody: true,
    async handler({ db, params, query, request, caller, actor }) {
      if (!isNativeSourceParam(query.source)) {
        const c = await foreignCall({ db, caller, actor }, query.source);
        return foreignSingleJob(c, params.id, action, bodySchema.parse(await readJsonBody(request)));
      }
      const { id } = idParams("job").parse(params);
      return native(db, id, bodySchema.parse(await readJsonBody(request)), actor);
    },
  });
}

export const retryJobRoute = singleJobRoute("retry", "retry", reasonBody, (db, id, body, actor) =>
  singleJob(db, id, async (q) => {
    expectApplied("retry", id, await retryJobs(q, [id]));
    await recordAudit(q, { actor, action: "api.jobs.retry", targetIds: [id], affected: 1, reason: body.reason ?? null, outcome: "ok" });
    return {};
  }),
);

export const cancelJobRoute = singleJobRoute("cancel", "cancel", reasonBody, (db, id, body, actor) =>
  singleJob(db, id, async (q) => {
    const r = expectApplied("cancel", id, await cancelJobs(q, [id]));
    const requested = r.cancelRequested.includes(id);
    await recordAudit(q, {
      actor,
      action: "api.jobs.cancel",
      targetIds: [id],
      affected: 1,
      reason: body.reason ?? null,
      outcome: "ok",
      ...(requested ? { details: { cancel_requested: [id] } } : {}),
    });
    return { cancel_requested: requested };
  }),
);

export const priorityJobRoute = singleJobRoute("priority", "priority", priorityBody, (db, id, body, actor) =>
  singleJob(db, id, async (q) => {
    expectApplied("setPriority", id, await setPriority(q, [id], body.priority));
    await recordAudit(q, {
      actor,
      action: "api.jobs.set_priority",
      targetIds: [id],
      filter: { priority: body.priority },
      affected: 1,
      reason: body.reason ?? null,
      outcome: "ok",
    });
    return {};
  }),
);

export const recoverStaleRoute = apiRoute({
  name: "POST /api/v1/admin/jobs/recover-stale",
  auth: WRITE,
  query: sourceQuery,
  body: recoverStaleBodyFor(),
  rawBody: true,
  async handler({ db, query, request, actor, caller }) {
    const body = recoverStaleBodyFor(query.source).parse(await readJsonBody(request));
    if (body.ids && body.worker_id) throw badRequest("give ids or worker_id (or neither, for every stale job), not both");
    if (body.force && !body.worker_id) throw badRequest("force applies to one offline worker's jobs: give worker_id", { force: ["needs worker_id"] });
    const source = oneSource(query.source, body.source);
    if (!isNativeSourceParam(source)) return foreignRecoverStale(await foreignCall({ db, caller, actor }, source), body);
    const ids = body.ids as number[] | undefined;
    const target: RecoverTarget = ids ? { ids } : body.worker_id ? { workerId: body.worker_id, force: body.force === true } : { all: true };
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

export { bulkCancelRoute, bulkRetryRoute, ndjsonIds } from "./bulk-handlers";

export const exportRoute = apiRoute({
  name: "GET /api/v1/admin/jobs/export",
  auth: READ,
  query: exportQuery,
  async handler({ db, query, caller, actor }) {
    const other = isNativeSourceParam(query.source) ? null : (await foreignCall({ db, caller, actor }, query.source)).source;
    const criteria = toCriteria(query);
    spendBudget(caller, criteria);
    const limit = query.limit ?? MAX_EXPORT_LINES;
    if (other) return withCursorErrors(() => exportForeignJobs(other, criteria, { cursor: query.cursor as string | undefined, limit, caller }));
    const r = redactionFor(caller);
    const encoder = new TextEncoder();
    const batches = exportJobs(db, criteria, { beforeId: nativeCursorValue(query.cursor), limit });
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
