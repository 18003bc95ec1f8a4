// The bulk admin jobs endpoints: POST /api/v1/admin/jobs/retry and /cancel, by filter, by ids or
// (retry) by the NDJSON of an export, for every source. The native source keeps its own path
// (lib/operations/bulk); another source goes through lib/api/source-jobs-handlers.
import "server-only";
import type { Database } from "@/db/client";
import type { Actor } from "../audit/record";
import { bulkConfirmThreshold, bulkGuard, mayChangeJobs } from "../auth/bulk-limit";
import type { Caller } from "../auth/caller";
import type { JobCriteria } from "../filters/job-filter";
import { applyBulk, bulkActionStates, bulkLimitCount, previewBulk } from "../operations/bulk";
import { MAX_EXPLICIT_IDS } from "../operations/inputs";
import { jobIdsSql } from "../queries/jobs";
import { cappedLines, MAX_NDJSON_BODY_BYTES } from "./body";
import { ApiError, badRequest } from "./errors";
import { hasFilter, toCriteria } from "./job-filters";
import { apiRoute, readJsonBody } from "./route";
import { bulkBodyFor, isNativeSourceParam, ndjsonRetryQuery, sourceQuery } from "./schemas";
import { ndjsonKeys } from "./source-export";
import { type ForeignBulkRequest, type ForeignCall, foreignBulk, foreignCall, sourceKeys } from "./source-jobs-handlers";

const WRITE = { role: "operator", scope: "jobs:write" } as const;

type BulkApiAction = "retry" | "cancel";

interface BulkRequest {
  /** The source named by the query or the body (undefined: the native one). */
  source?: string;
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

/** `source` from the query and/or the JSON body: the same when both are given. */
export function oneSource(query: string | undefined, body: string | undefined): string | undefined {
  const q = query?.trim() || undefined;
  const b = body?.trim() || undefined;
  if (q && b && q !== b) throw badRequest(`source is "${q}" in the query but "${b}" in the body: give it once`, { source: ["the query and the body name different sources"] });
  return q ?? b;
}

async function jsonBulkRequest(request: Request, querySource: string | undefined): Promise<BulkRequest> {
  const body = bulkBodyFor(querySource).parse(await readJsonBody(request));
  if (body.ids && hasFilter(body)) throw badRequest("give ids or filter fields, not both");
  if (!body.ids && !hasFilter(body)) {
    throw badRequest("give a filter (state, kind, queue, since, error_prefix) or ids; an empty filter would match every job");
  }
  return {
    source: oneSource(querySource, body.source),
    // Checked by the schema for the source it names: numeric ids (jobdeck) or keys, which the foreign path parses.
    target: body.ids ? { ids: body.ids as number[] } : { filter: toCriteria(body) },
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

/** Another source's bulk request: keys parsed by the source, no `limit` (the adapters change every match). */
async function foreignBulkRequest(c: ForeignCall, req: BulkRequest): Promise<ForeignBulkRequest> {
  if (req.limit !== undefined) {
    const message = `limit applies to the jobdeck source only: narrow the filter, or give the keys, for source "${c.source.name}"`;
    throw badRequest(message, { limit: [message] });
  }
  const target = "ids" in req.target ? { keys: sourceKeys(c.source, req.target.ids) } : { criteria: req.target.filter };
  return { target, dryRun: req.dryRun, includeCompleted: req.includeCompleted, reason: req.reason };
}

function bulkRoute(action: BulkApiAction) {
  return apiRoute({
    name: `POST /api/v1/admin/jobs/${action}`,
    auth: WRITE,
    body: bulkBodyFor(),
    rawBody: true,
    query: action === "retry" ? ndjsonRetryQuery : sourceQuery,
    async handler({ db, request, query, actor, caller }) {
      const q = query as { source?: string; dry_run?: boolean; include_completed?: boolean; reason?: string };
      let req: BulkRequest;
      if (isNdjson(request)) {
        if (action !== "retry") throw new ApiError(415, "unsupported_media_type", "cancel takes a JSON body; NDJSON is accepted by POST /api/v1/admin/jobs/retry");
        const options = { dryRun: q.dry_run ?? false, includeCompleted: q.include_completed ?? false, reason: q.reason ?? null };
        if (!isNativeSourceParam(q.source)) {
          const c = await foreignCall({ db, caller, actor }, q.source);
          return foreignBulk(c, action, { target: { keys: await ndjsonKeys(request, c.source) }, ...options });
        }
        req = { target: { ids: await ndjsonIds(request) }, ...options };
      } else {
        if (Object.entries(q).some(([k, v]) => k !== "source" && v !== undefined)) throw badRequest("query parameters apply to NDJSON bodies only; put dry_run and reason in the JSON body");
        req = await jsonBulkRequest(request, q.source);
        if (!isNativeSourceParam(req.source)) {
          const c = await foreignCall({ db, caller, actor }, req.source);
          return foreignBulk(c, action, await foreignBulkRequest(c, req));
        }
      }
      return runBulk(db, action, req, caller, actor);
    },
  });
}

export const bulkRetryRoute = bulkRoute("retry");
export const bulkCancelRoute = bulkRoute("cancel");

