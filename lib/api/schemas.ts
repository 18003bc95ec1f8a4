// The API's zod schemas: the request schemas validate every query and body (lib/api/route), and
// the same objects, request and response, generate the OpenAPI document (lib/api/openapi). Field
// names are the runbook's snake_case (`per_page`, `error_prefix`, `dry_run`).
import { z } from "zod";
import { TOKEN_SCOPES } from "../auth/tokens";
import { MAX_EXPLICIT_IDS } from "../operations/inputs";
import { JOB_STATES } from "../queue/state-machine";

export const MAX_PER_PAGE = 500;
export const DEFAULT_PER_PAGE = 100;
/** `page=N` walks the keyset from the newest job; page × per_page may not exceed this. */
export const MAX_PAGE_DEPTH = 10_000;
/** Export stops after this many lines unless `limit` says fewer. */
export const MAX_EXPORT_LINES = 1_000_000;

const blank = (v: unknown) => (v === "" ? undefined : v);
const wholeNumber = (field: string, min: number, max: number, hint = "") =>
  z.preprocess(
    blank,
    z.coerce
      .number({ message: `${field} must be a whole number` })
      .int(`${field} must be a whole number`)
      .min(min, `${field} must be at least ${min}`)
      .max(max, `${field} must be at most ${max.toLocaleString("en-US")}${hint}`)
      .optional(),
  );
const flag = (field: string) =>
  z.preprocess(
    (v) => (v === undefined || v === "" ? undefined : v === true || v === "true" || v === "1" ? true : v === false || v === "false" || v === "0" ? false : v),
    z.boolean({ message: `${field} must be true or false` }).optional(),
  );

const stateParam = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .describe(`One state or a comma-separated list: ${JOB_STATES.join(", ")}`);
const filterFields = {
  state: stateParam,
  kind: z.string().max(200).optional().describe("Job kind, exact"),
  queue: z.string().max(200).optional().describe("Queue name, exact"),
  since: z.string().max(20).optional().describe("Updated within: 30m, 10h, 2d (finished, started or created)"),
  error_prefix: z.string().max(1000).optional().describe("last_error starts with this text (case-sensitive)"),
};
const unknownParam = (what: string) => ({ error: (i: { code?: string; keys?: string[] }) => (i.code === "unrecognized_keys" ? `unknown ${what} ${(i.keys ?? []).map((k) => `"${k}"`).join(", ")}` : undefined) });

export const listJobsQuery = z.strictObject({
    ...filterFields,
    page: wholeNumber("page", 1, MAX_PAGE_DEPTH).describe(`Page number (1-based), walked on the keyset; page × per_page ≤ ${MAX_PAGE_DEPTH}. Prefer cursor.`),
    per_page: wholeNumber("per_page", 1, MAX_PER_PAGE, " (use cursor to page through more)").describe(`Jobs per page, default ${DEFAULT_PER_PAGE}, at most ${MAX_PER_PAGE}`),
    cursor: wholeNumber("cursor", 1, Number.MAX_SAFE_INTEGER).describe("next_cursor of the previous page: jobs with a smaller id"),
  }, unknownParam("query parameter"));

export const exportQuery = z.strictObject({
    ...filterFields,
    limit: wholeNumber("limit", 1, MAX_EXPORT_LINES).describe(`At most this many lines (default and maximum ${MAX_EXPORT_LINES.toLocaleString("en-US")})`),
    cursor: wholeNumber("cursor", 1, Number.MAX_SAFE_INTEGER).describe("Start below this id"),
  }, unknownParam("query parameter"));

const reason = z.string().trim().max(500, "reason is longer than 500 characters").optional().describe("Why, for the audit log");
const ids = z
  .array(z.number().int().positive("ids must be job ids"), { message: "ids must be an array of job ids" })
  .min(1, "ids is empty")
  .max(MAX_EXPLICIT_IDS, `at most ${MAX_EXPLICIT_IDS.toLocaleString("en-US")} ids at once; use a filter for more`);

export const bulkBody = z.strictObject({
    ...filterFields,
    ids: ids.optional().describe("Explicit job ids instead of a filter"),
    limit: z.number().int().min(1, "limit must be at least 1").optional().describe("Change at most this many jobs (newest first)"),
    dry_run: z.boolean().optional().describe("Only count (and list up to 1,000 ids of) what would change"),
    include_completed: z.boolean().optional().describe("retry only: also re-run completed jobs"),
    reason,
  }, unknownParam("field"));

export const ndjsonRetryQuery = z.strictObject({ dry_run: flag("dry_run"), include_completed: flag("include_completed"), reason }, unknownParam("query parameter"));

export const reasonBody = z.strictObject({ reason }, unknownParam("field"));
export const campaignActionBody = z.strictObject({
    reason,
    dry_run: z.boolean().optional().describe("Only say what would change (would_change), and whether the real call would be allowed and refused"),
  }, unknownParam("field"));
export const priorityBody = z.strictObject({
    priority: z.number({ message: "priority must be a whole number from -100 to 100" }).int("priority must be a whole number from -100 to 100").min(-100, "priority must be at least -100").max(100, "priority must be at most 100"),
    reason,
  }, unknownParam("field"));
export const recoverStaleBody = z.strictObject({
    ids: ids.optional().describe("Only these jobs (each only if its lease expired)"),
    worker_id: z.string().trim().min(1).max(200).optional().describe("The running jobs of this worker whose lease expired, once it is offline"),
    force: z.boolean().optional().describe("With worker_id only: also release the worker's leases that have not expired. The worker may only be paused and still run them: they could run twice. Audited as forced"),
    reason,
  }, unknownParam("field"));

// ---- responses ------------------------------------------------------------------------------
const ts = z.string().describe("ISO 8601 time");
const state = z.enum(JOB_STATES);

export const apiJob = z.object({
  id: z.number().int(),
  kind: z.string(),
  queue: z.string(),
  state,
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  priority: z.number().int(),
  last_error: z.string().nullable(),
  locked_by: z.string().nullable(),
  locked_until: ts.nullable(),
  is_stale: z.boolean(),
  can_retry: z.boolean(),
  recovery_hint: z.string(),
  created_at: ts,
  run_at: ts,
  started_at: ts.nullable(),
  finished_at: ts.nullable(),
  campaign_id: z.number().int().nullable(),
});

export const jobsSummary = z.object({
  by_status: z.record(z.string(), z.number().int()).describe("Jobs by state. pending, running and failed are exact; completed, dead and cancelled stop at count_cap (see by_status_capped)"),
  by_status_capped: z.record(z.string(), z.boolean()).describe("true where by_status is a lower bound (\"at least\")"),
  count_cap: z.number().int(),
  by_kind: z.record(z.string(), z.number().int()).describe("Active jobs (pending, running, failed) by kind, exact"),
  by_kind_states: z.array(state),
  oldest_pending_age_minutes: z.number().nullable().describe("Minutes the oldest ready pending job has waited past its run_at"),
  stale_jobs_count: z.number().int().describe("Running jobs whose lease expired"),
  estimated_total_jobs: z.number().int().nullable().describe("The planner's estimate of all jobs (pg_class.reltuples)"),
  as_of: z.string().describe("When the summary was computed (ISO time); it is shared between requests for up to one second"),
});

export const listJobsResponse = z.object({
  summary: jobsSummary,
  jobs: z.array(apiJob),
  page: z.number().int().nullable(),
  per_page: z.number().int(),
  next_cursor: z.number().int().nullable().describe("Pass as cursor for the next page; null on the last"),
  has_more: z.boolean(),
});

export const jobDetailResponse = z.object({
  job: apiJob.extend({ payload: z.unknown(), result: z.unknown(), progress: z.number().nullable(), cancel_requested_at: ts.nullable(), parent_id: z.number().int().nullable() }),
  attempts: z.array(z.object({ attempt: z.number().int(), worker_id: z.string(), started_at: ts, finished_at: ts.nullable(), outcome: z.string().nullable(), error: z.string().nullable() })),
  attempts_total: z.number().int(),
  worker_online: z.boolean().nullable(),
});

export const singleJobResponse = z.object({
  job: apiJob,
  changed: z.boolean(),
  cancel_requested: z.boolean().optional(),
});

export const bulkResponse = z.object({
  action: z.enum(["retry", "cancel"]),
  dry_run: z.boolean(),
  matched: z.number().int(),
  affected: z.number().int().describe("Changed (dry run: would change)"),
  cancel_requested: z.number().int().describe("cancel: running jobs asked to stop"),
  skipped_running: z.number().int().describe("Running jobs, never retried"),
  skipped: z.record(z.string(), z.number().int()),
  not_found: z.number().int(),
  ids: z.array(z.number().int()),
  ids_truncated: z.boolean(),
  allowed: z.boolean().optional().describe("Dry run only: false when the real run would be refused (more jobs than bulk_confirm_threshold needs an admin)"),
  bulk_confirm_threshold: z.number().int().optional().describe("Dry run only: JOBDECK_BULK_CONFIRM_THRESHOLD"),
});

export const recoverStaleResponse = z.object({
  recovered: z.number().int(),
  by_state: z.object({ pending: z.number().int(), dead: z.number().int(), cancelled: z.number().int() }),
  ids: z.array(z.number().int()),
  ids_truncated: z.boolean(),
  skipped: z.array(z.object({ id: z.number().int(), state, reason: z.string() })),
  not_found: z.array(z.number().int()),
  still_leased: z
    .object({ count: z.number().int(), soonest_expiry: ts.nullable(), last_expiry: ts.nullable() })
    .optional()
    .describe("worker_id only: the worker's running jobs whose lease has not expired (left alone unless force), and when those leases end"),
});

export const campaignResponse = z.record(z.string(), z.unknown()).describe("The campaign aggregate: campaign, next_start_position, batches, children by state, duplicates, gaps, failed_children, progress");
export const campaignActionResponse = z.record(z.string(), z.unknown());

export const statsResponse = z.object({
  job_queue_pending: z.number().int(),
  job_queue_running: z.number().int(),
  workers_online: z.number().int(),
  as_of: z.string().describe("When the counts were computed (ISO time); they are shared between callers for up to two seconds"),
});

export const healthResponse = z.object({
  ok: z.boolean(),
  status: z.enum(["ok", "degraded", "down"]),
  failing: z.array(z.string()).describe("The failing checks"),
  version: z.string().optional().describe("Details (version, database, checks' detail, ...) only for a signed-in user, an API token, or with JOBDECK_HEALTH_DETAILS=1"),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});

export const errorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.array(z.string())).optional() }),
});

export const exportLine = apiJob.extend({ payload: z.unknown() }).describe("One NDJSON line per job");

export const tokenScopesSchema = z.enum(TOKEN_SCOPES);

// GET /api/v1/admin/audit/export: the /audit page's filter as query parameters (documented here;
// lib/filters/audit-filter parses them, so both places accept exactly the same values).
export const auditExportQuery = z.object({
  format: z.enum(["ndjson", "csv"]).default("ndjson").describe("ndjson (one event a line) or csv (with a header row)"),
  actor: z.string().optional().describe("Case-insensitive substring of the actor (email, token:<name>, cli:<user>@<host>)"),
  action: z.string().optional().describe("Exact action (jobs.retry) or a prefix ending in * (jobs.*)"),
  outcome: z.enum(["ok", "partial", "refused", "error"]).optional(),
  since: z.string().optional().describe("Events at or after: 10h, 2d (ago) or an ISO date"),
  until: z.string().optional().describe("Events before: 10h, 2d (ago) or an ISO date"),
  job: z.string().optional().describe("Only events whose targets include this job id"),
});
