// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests
// (lib/api/schemas) with zod 4's z.toJSONSchema. ENDPOINTS is also what /api-docs lists; a test
// checks that it names exactly the route.ts files under app/api/v1.
import { z } from "zod";
import type { TokenScope } from "../auth/tokens";
import { JOBDECK_VERSION } from "../version";
import { MAX_JSON_BODY_BYTES, MAX_NDJSON_BODY_BYTES } from "./body";
import * as S from "./schemas";
import * as SS from "./source-schemas";
import * as CS from "./celery-schemas";

type Method = "get" | "post";
export interface Endpoint {
  method: Method;
  path: string;
  summary: string;
  /** null = no auth. */
  scope: TokenScope | null;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Extra request content types (NDJSON). */
  ndjsonBody?: boolean;
  response: z.ZodType | "ndjson" | "prometheus";
  pathParam?: "job" | "campaign";
  /** Other path parameters ({source}, {hostname}, a Celery task's {id}), each a string. */
  pathParams?: { name: string; description: string }[];
  /** Carries job data masked for most callers: documents the X-Jobdeck-Redacted response header. */
  redacts?: true;
  example: string;
}

const B = "$JOBDECK_URL";
const SOURCE_PARAM = { name: "source", description: "the Celery source's name (JOBDECK_SOURCES)" };
const CELERY_TASK_PARAMS = [SOURCE_PARAM, { name: "id", description: "the Celery task id (URL-encoded)" }];
const CELERY_WORKER_PARAMS = [SOURCE_PARAM, { name: "hostname", description: "the worker's hostname, celery@host (URL-encoded: celery%40host); * for every worker (rate-limit and pool only)" }];
const AUTH = '-H "Authorization: Bearer $JOBDECK_TOKEN"';

export const ENDPOINTS: Endpoint[] = [
  { method: "get", path: "/api/v1/admin/jobs", summary: "Queue summary and one page of jobs (keyset: cursor; or page=N). source=NAME lists another source (cursor only: an opaque string)", scope: "jobs:read", redacts: true, query: S.listJobsQuery, response: S.listJobsResponse, example: `curl -s ${AUTH} "${B}/api/v1/admin/jobs?state=dead&kind=send_email&per_page=50"` },
  { method: "get", path: "/api/v1/admin/jobs/export", summary: "Matching jobs as NDJSON, payload included (streamed in keyset batches; secret values masked unless admin or jobs:read-secrets). Another source (source=NAME): each line is the job as its detail reads it, with key and source", scope: "jobs:read", redacts: true, query: S.exportQuery, response: "ndjson", example: `curl -sN ${AUTH} "${B}/api/v1/admin/jobs/export?state=dead&since=10h" > dead.ndjson` },
  { method: "post", path: "/api/v1/admin/jobs/retry", summary: "Retry every job matching a filter (or ids, or NDJSON export lines); running jobs are never touched. source (query or body) acts on another source: ids are its job keys, NDJSON lines give key or id; 409 unsupported when it cannot retry", scope: "jobs:write", body: S.bulkBody, query: S.ndjsonRetryQuery, ndjsonBody: true, response: S.bulkResponse, example: `curl -s ${AUTH} -H 'Content-Type: application/json' -d '{"state":"dead","error_prefix":"SMTP timeout","since":"2d","dry_run":true}' ${B}/api/v1/admin/jobs/retry\ncurl -s ${AUTH} -H 'Content-Type: application/x-ndjson' --data-binary @dead.ndjson "${B}/api/v1/admin/jobs/retry?reason=smtp+fixed"` },
  { method: "post", path: "/api/v1/admin/jobs/cancel", summary: "Cancel every job matching a filter (running ones are asked to stop). source (query or body) acts on another source", scope: "jobs:write", body: S.bulkBody, query: S.sourceQuery, response: S.bulkResponse, example: `curl -s ${AUTH} -H 'Content-Type: application/json' -d '{"state":"pending","kind":"reindex_search","reason":"superseded"}' ${B}/api/v1/admin/jobs/cancel` },
  { method: "post", path: "/api/v1/admin/jobs/recover-stale", summary: "Return running jobs with expired leases to pending (all, these ids, or one offline worker's); the recovered ids. force (worker_id only) also releases live leases: they could run twice. source (query or body): another source's stale jobs by key, by worker where it records workers, or all", scope: "jobs:write", body: S.recoverStaleBody, query: S.sourceQuery, response: S.recoverStaleResponse, example: `curl -s ${AUTH} -X POST ${B}/api/v1/admin/jobs/recover-stale\ncurl -s ${AUTH} -H 'Content-Type: application/json' -d '{"worker_id":"web-3:4121","force":true,"reason":"host web-3 is powered off"}' ${B}/api/v1/admin/jobs/recover-stale` },
  { method: "get", path: "/api/v1/admin/jobs/{id}", summary: "One job with payload, result and attempt history (secret values masked unless admin or jobs:read-secrets). With source=NAME, {id} is the job's key (URL-encoded)", scope: "jobs:read", redacts: true, pathParam: "job", query: S.sourceQuery, response: S.jobDetailResponse, example: `curl -s ${AUTH} ${B}/api/v1/admin/jobs/42` },
  { method: "post", path: "/api/v1/admin/jobs/{id}/retry", summary: "Retry one failed, dead or cancelled job (409 while running; 409 unsupported when the source cannot retry)", scope: "jobs:write", pathParam: "job", query: S.sourceQuery, body: S.reasonBody, response: S.singleJobResponse, example: `curl -s ${AUTH} -X POST ${B}/api/v1/admin/jobs/42/retry` },
  { method: "post", path: "/api/v1/admin/jobs/{id}/cancel", summary: "Cancel one job (a running one is asked to stop, where the source can)", scope: "jobs:write", pathParam: "job", query: S.sourceQuery, body: S.reasonBody, response: S.singleJobResponse, example: `curl -s ${AUTH} -X POST ${B}/api/v1/admin/jobs/42/cancel` },
  { method: "post", path: "/api/v1/admin/jobs/{id}/priority", summary: "Change the priority (-100..100) of a pending or failed job (409 unsupported for a source that cannot, e.g. pg-boss 10)", scope: "jobs:write", pathParam: "job", query: S.sourceQuery, body: S.priorityBody, response: S.singleJobResponse, example: `curl -s ${AUTH} -H 'Content-Type: application/json' -d '{"priority":50}' ${B}/api/v1/admin/jobs/42/priority` },
  { method: "get", path: "/api/v1/admin/campaigns/{id}", summary: "Campaign aggregate: next_start_position, children by state, duplicates, gaps (secret params masked unless admin or jobs:read-secrets)", scope: "jobs:read", redacts: true, pathParam: "campaign", response: S.campaignResponse, example: `curl -s ${AUTH} ${B}/api/v1/admin/campaigns/7` },
  { method: "post", path: "/api/v1/admin/campaigns/{id}/resume", summary: "Enqueue the next batch from next_start_position (same campaign id); dry_run says what it would do and whether it would be allowed", scope: "jobs:write", pathParam: "campaign", body: S.campaignActionBody, response: S.campaignActionResponse, example: `curl -s ${AUTH} -X POST ${B}/api/v1/admin/campaigns/7/resume` },
  { method: "post", path: "/api/v1/admin/campaigns/{id}/retry-failed", summary: "Retry the campaign's failed and dead item jobs; more than JOBDECK_BULK_CONFIRM_THRESHOLD at once needs an admin token (dry_run: would_change, allowed)", scope: "jobs:write", pathParam: "campaign", body: S.campaignActionBody, response: S.campaignActionResponse, example: `curl -s ${AUTH} -X POST ${B}/api/v1/admin/campaigns/7/retry-failed` },
  { method: "post", path: "/api/v1/admin/campaigns/{id}/cancel", summary: "Cancel the campaign: no more batches, pending items cancelled, running ones asked to stop; more than JOBDECK_BULK_CONFIRM_THRESHOLD jobs needs an admin token (dry_run: would_change, allowed)", scope: "jobs:write", pathParam: "campaign", body: S.campaignActionBody, response: S.campaignActionResponse, example: `curl -s ${AUTH} -H 'Content-Type: application/json' -d '{"dry_run":true}' ${B}/api/v1/admin/campaigns/7/cancel\ncurl -s ${AUTH} -X POST ${B}/api/v1/admin/campaigns/7/cancel` },
  { method: "get", path: "/api/v1/admin/audit/export", summary: "The audit log (who did what, to which jobs, why, with what outcome) as NDJSON or CSV, newest first; admin tokens only (scopes audit:read + admin); secret values in payload filters are masked for everyone (X-Jobdeck-Redacted: true)", scope: "audit:read", query: S.auditExportQuery, response: "ndjson", example: `curl -sN ${AUTH} "${B}/api/v1/admin/audit/export?since=7d&action=jobs.*" > audit.ndjson` },
  { method: "get", path: "/api/v1/sources", summary: "Every source (the native queue, pg-boss, graphile-worker, Celery): kind, library and schema versions, capabilities (each missing one with why), state map, notices (a Celery source: its bridge's gaps), health and counts", scope: "jobs:read", query: SS.sourcesQuery, response: SS.sourcesResponse, example: `curl -s ${AUTH} ${B}/api/v1/sources` },
  { method: "get", path: "/api/v1/admin/workers", summary: "Workers of a source: ONLINE/OFFLINE, last heartbeat, running jobs, processed/failed where the source knows them (409 when it keeps no workers)", scope: "jobs:read", query: SS.workersQuery, response: SS.workersResponse, example: `curl -s ${AUTH} "${B}/api/v1/admin/workers?source=jobdeck"` },
  { method: "post", path: "/api/v1/admin/celery/{source}/tasks/{id}/terminate", summary: "Terminate a RUNNING Celery task: revoke with terminate, so its pool process gets the signal (SIGTERM unless signal says otherwise) and the worker reports it REVOKED. 409 when the task is not running (cancel revokes one that has not started) or the source is read-only. acknowledged/message say what the worker replied (\"no worker replied within 2 s\" is acknowledged: false)", scope: "jobs:write", pathParams: CELERY_TASK_PARAMS, body: CS.terminateBody, response: CS.operationResponse, example: `curl -s ${AUTH} -H 'Content-Type: application/json' -d '{"signal":"SIGTERM","reason":"stuck on a dead socket"}' ${B}/api/v1/admin/celery/orders/tasks/0b5c6f1e-9a4d-4f7e-8d2a-3c1b5e7f9a01/terminate` },
  { method: "post", path: "/api/v1/admin/celery/{source}/workers/{hostname}/rate-limit", summary: "Set a task name's rate limit on one Celery worker, or on every worker ({hostname} = *), as celery control rate_limit does; the worker's reply is in the answer", scope: "jobs:write", pathParams: CELERY_WORKER_PARAMS, body: CS.rateLimitBody, response: CS.operationResponse, example: `curl -s ${AUTH} -H 'Content-Type: application/json' -d '{"task_name":"proj.tasks.send_email","rate":"10/m"}' ${B}/api/v1/admin/celery/orders/workers/celery%40web-1/rate-limit` },
  { method: "post", path: "/api/v1/admin/celery/{source}/workers/{hostname}/pool", summary: "Grow or shrink a Celery worker's pool by n processes (pool_grow / pool_shrink); admin only (a token with the admin scope)", scope: "jobs:write", pathParams: CELERY_WORKER_PARAMS, body: CS.poolBody, response: CS.operationResponse, example: `curl -s ${AUTH} -H 'Content-Type: application/json' -d '{"action":"grow","n":2}' ${B}/api/v1/admin/celery/orders/workers/celery%40web-1/pool` },
  { method: "post", path: "/api/v1/admin/celery/{source}/workers/{hostname}/shutdown", summary: "Shut one Celery worker down (it finishes its running tasks, then exits; Celery sends no reply: its worker-offline event confirms it); admin only", scope: "jobs:write", pathParams: CELERY_WORKER_PARAMS, body: CS.shutdownBody, response: CS.operationResponse, example: `curl -s ${AUTH} -H 'Content-Type: application/json' -d '{"reason":"host drained"}' ${B}/api/v1/admin/celery/orders/workers/celery%40web-1/shutdown` },
  { method: "get", path: "/api/v1/stats", summary: "Public smoke check: pending, running, workers online", scope: null, response: S.statsResponse, example: `curl -s ${B}/api/v1/stats` },
  { method: "get", path: "/api/v1/openapi.json", summary: "This document", scope: null, response: z.record(z.string(), z.unknown()), example: `curl -s ${B}/api/v1/openapi.json` },
];

/** Outside /api/v1 but part of the API surface (documented, not in the v1 route walk). */
export const OTHER_ENDPOINTS: Endpoint[] = [
  { method: "get", path: "/api/health", summary: "Database reachable, migrations current, workers online; 503 names the failing check. Details (database, errors, version) only for a signed-in user or an API token", scope: null, response: S.healthResponse, example: `curl -s ${B}/api/health` },
  { method: "get", path: "/api/metrics", summary: "Prometheus metrics (token with jobs:read, or JOBDECK_METRICS_PUBLIC=1)", scope: "jobs:read", response: "prometheus", example: `curl -s ${AUTH} ${B}/api/metrics` },
];

const js = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  return rest;
};

function queryParameters(schema: z.ZodType) {
  const s = js(schema, "input") as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, p]) => {
    const { description, ...schemaOnly } = p;
    return { name, in: "query", required: (s.required ?? []).includes(name), ...(description ? { description } : {}), schema: schemaOnly };
  });
}

/** The reads that spend the caller's expensive-filter budget (lib/server/expensive-filter-limit). */
const RATE_LIMITED = new Set(["/api/v1/admin/jobs", "/api/v1/admin/jobs/export"]);
const errorRef = { $ref: "#/components/schemas/Error" };
const REDACTED_HEADER_DOC = {
  "X-Jobdeck-Redacted": {
    description: 'true: values of payload, result and params keys named in JOBDECK_REDACT_KEYS are "••••"; false: stored values (admin, or a token with jobs:read-secrets)',
    schema: { type: "string", enum: ["true", "false"] },
  },
};
const errors = (codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: { 400: "Invalid input (also an unknown source)", 401: "No or invalid token", 403: "Role or scope missing", 404: "Not found", 409: "Conflict with the job's state (code conflict or job_running), or a capability or filter the source lacks (code unsupported; the message names it: retry, priority, filter:worker, ...)", 413: `Request body too large (JSON ${MAX_JSON_BODY_BYTES / 2 ** 20} MiB, NDJSON ${MAX_NDJSON_BODY_BYTES / 2 ** 20} MiB)`, 429: "Too many reads with unindexed filters (error_prefix, since, worker); Retry-After says when to try again", 503: "Database or source unavailable (the other sources keep answering), or code query_timeout: the read ran past JOBDECK_STATEMENT_TIMEOUT_MS (narrow the time range)" }[c] ?? "Error", content: { "application/json": { schema: errorRef } } }]));

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of [...ENDPOINTS, ...OTHER_ENDPOINTS]) {
    const parameters: unknown[] = [];
    if (e.pathParam === "job") parameters.push({ name: "id", in: "path", required: true, description: "job id; with source=NAME, the job's key (pg-boss <queue>:<uuid>), URL-encoded", schema: { type: ["integer", "string"] } });
    else if (e.pathParam) parameters.push({ name: "id", in: "path", required: true, description: `${e.pathParam} id`, schema: { type: "integer", minimum: 1 } });
    for (const p of e.pathParams ?? []) parameters.push({ name: p.name, in: "path", required: true, description: p.description, schema: { type: "string" } });
    if (e.query) parameters.push(...queryParameters(e.query));
    const content: Record<string, unknown> =
      e.response === "ndjson"
        ? { "application/x-ndjson": { schema: js(S.exportLine, "output") } }
        : e.response === "prometheus"
          ? { "text/plain": { schema: { type: "string" } } }
          : { "application/json": { schema: js(e.response, "output") } };
    const op: Record<string, unknown> = {
      operationId: `${e.method}${e.path.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      summary: e.summary,
      ...(e.scope ? { security: [{ bearerToken: [e.scope] }], "x-required-scope": e.scope } : { security: [] }),
      parameters,
      responses: { "200": { description: "OK", content, ...(e.redacts ? { headers: REDACTED_HEADER_DOC } : {}) }, ...errors(e.scope ? [400, 401, 403, 404, 409, ...(e.body ? [413] : []), ...(RATE_LIMITED.has(e.path) ? [429] : []), 503] : [503]) },
    };
    if (e.body) {
      op.requestBody = {
        required: false,
        content: {
          "application/json": { schema: js(e.body, "input") },
          ...(e.ndjsonBody ? { "application/x-ndjson": { schema: { type: "string", description: "Lines of GET /api/v1/admin/jobs/export (each a JSON object with an id; another source: its key); source, dry_run, include_completed and reason go in the query" } } } : {}),
        },
      };
    }
    (paths[e.path] ??= {})[e.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: { title: "Jobdeck API", version: JOBDECK_VERSION, description: "Operate PostgreSQL job queues: the same rules, roles and audit as the UI. Errors are { error: { code, message } }." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearerToken: { type: "http", scheme: "bearer", description: "An API token jd_<id>_<secret> (create: npx jobdeck tokens create, or /settings/tokens). Scopes: jobs:read, jobs:write, audit:read, admin (acts as an admin: bulk actions over JOBDECK_BULK_CONFIRM_THRESHOLD jobs, the audit export, secret values), jobs:read-secrets (with jobs:read: values of payload, result and campaign params keys named in JOBDECK_REDACT_KEYS, otherwise \"••••\"; responses say which in the X-Jobdeck-Redacted header)." } },
      schemas: { Error: js(S.errorResponseSchema, "output") },
    },
    paths,
  };
}
