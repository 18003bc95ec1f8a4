// The API's zod schemas: the request schemas validate every query and body (lib/api/route), and
// the same objects, request and response, generate the OpenAPI document (lib/api/openapi). Field
// names are the runbook's snake_case (`per_page`, `error_prefix`, `dry_run`).
import { z } from "zod";
import { TOKEN_SCOPES } from "../auth/tokens";
import { MAX_EXPLICIT_IDS } from "../operations/inputs";
import { JOB_STATES } from "../queue/state-machine";
import { NATIVE_SOURCE } from "../sources/types";
import { sourceParam } from "./source-schemas";

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
  worker: z.string().max(200).optional().describe("The worker running the job, or that ran its last attempt (jobdeck; graphile-worker: the pool holding its lock; pg-boss records none: 409 unsupported)"),
};
const unknownParam = (what: string) => ({ error: (i: { code?: string; keys?: string[] }) => (i.code === "unrecognized_keys" ? `unknown ${what} ${(i.keys ?? []).map((k) => `"${k}"`).join(", ")}` : undefined) });

/** Whether a `source` value (query or body) names the native source: absent, empty or "jobdeck". */
export const isNativeSourceParam = (v: unknown) => v === undefined || (typeof v === "string" && (v.trim() === "" || v.trim() === NATIVE_SOURCE));

/**
 * Fields whose valid values depend on the source: the native source keeps its numeric cursor
 * and ids with exactly their old messages; a foreign source takes opaque strings (its adapter
 * validates them). Checked after the object's own fields, even when those failed, so the
 * issues are the same as when these were plain fields. `defaultSource` is the query's source
 * for a body that does not name one.
 */
function perSource<T extends z.ZodObject>(obj: T, fields: Record<string, { native: z.ZodType; foreign: z.ZodType }>, defaultSource?: string): T {
  return obj.superRefine(
    (v, ctx) => {
      const value = v as Record<string, unknown>;
      const source = value.source ?? defaultSource;
      if (source !== undefined && typeof source !== "string") return;
      const native = isNativeSourceParam(source);
      for (const [field, schemas] of Object.entries(fields)) {
        const r = (native ? schemas.native : schemas.foreign).safeParse(value[field]);
        if (!r.success) for (const i of r.error.issues) ctx.addIssue({ ...i, path: [field, ...i.path] } as Parameters<typeof ctx.addIssue>[0]);
      }
    },
    { when: () => true },
  ) as unknown as T;
}

const nativeCursor = wholeNumber("cursor", 1, Number.MAX_SAFE_INTEGER);
const foreignCursor = z.preprocess(blank, z.string({ message: "cursor must be a next_cursor of this source" }).max(500, "cursor is not a cursor of this source").optional());
const cursorField = (description: string) => z.unknown().optional().meta({ type: ["integer", "string"], description });
const sourceCursor = { cursor: { native: nativeCursor, foreign: foreignCursor } };

/** The native cursor as the native code paths take it (a number); call only after the schema accepted it. */
export const nativeCursorValue = (v: unknown): number | undefined => nativeCursor.parse(v) as number | undefined;

export const listJobsQuery = perSource(z.strictObject({
    source: sourceParam,
    ...filterFields,
    page: wholeNumber("page", 1, MAX_PAGE_DEPTH).describe(`Page number (1-based), walked on the keyset; page × per_page ≤ ${MAX_PAGE_DEPTH}. Prefer cursor.`),
    per_page: wholeNumber("per_page", 1, MAX_PER_PAGE, " (use cursor to page through more)").describe(`Jobs per page, default ${DEFAULT_PER_PAGE}, at most ${MAX_PER_PAGE}`),
    cursor: cursorField("next_cursor of the previous page: the jobdeck source's jobs with a smaller id; another source's opaque string"),
  }, unknownParam("query parameter")), sourceCursor);

export const exportQuery = perSource(z.strictObject({
    source: sourceParam,
    ...filterFields,
    limit: wholeNumber("limit", 1, MAX_EXPORT_LINES).describe(`At most this many lines (default and maximum ${MAX_EXPORT_LINES.toLocaleString("en-US")})`),
    cursor: cursorField("Start below this id (jobdeck), or after a next_cursor of the job list (another source)"),
  }, unknownParam("query parameter")), sourceCursor);

const reason = z.string().trim().max(500, "reason is longer than 500 characters").optional().describe("Why, for the audit log");
const ids = z
  .array(z.number().int().positive("ids must be job ids"), { message: "ids must be an array of job ids" })
  .min(1, "ids is empty")
  .max(MAX_EXPLICIT_IDS, `at most ${MAX_EXPLICIT_IDS.toLocaleString("en-US")} ids at once; use a filter for more`);

/** A foreign source's job keys (its adapter checks each). */
const keys = z
  .array(z.union([z.string().min(1).max(300), z.number().int().positive()]), { message: "ids must be an array of job keys" })
  .min(1, "ids is empty")
  .max(MAX_EXPLICIT_IDS, `at most ${MAX_EXPLICIT_IDS.toLocaleString("en-US")} ids at once; use a filter for more`)
  .optional();
const sourceIds = { ids: { native: ids.optional(), foreign: keys } };
const idsField = (description: string) => z.unknown().optional().meta({ type: "array", items: { type: ["integer", "string"] }, description });
/** `source` in a JSON body: the same as the query parameter (give one, or the same in both). */
const bodySource = sourceParam.describe("Source name (GET /api/v1/sources); default jobdeck. May be given as the query parameter instead");

export const bulkBodyFor = (defaultSource?: string) =>
  perSource(z.strictObject({
    source: bodySource,
    ...filterFields,
    ids: idsField("Explicit job ids instead of a filter (another source: job keys, as strings)"),
    limit: z.number().int().min(1, "limit must be at least 1").optional().describe("Change at most this many jobs (newest first)"),
    dry_run: z.boolean().optional().describe("Only count (and list up to 1,000 ids of) what would change"),
    include_completed: z.boolean().optional().describe("retry only: also re-run completed jobs"),
    reason,
  }, unknownParam("field")), sourceIds, defaultSource);
export const bulkBody = bulkBodyFor();

export const ndjsonRetryQuery = z.strictObject({ source: sourceParam, dry_run: flag("dry_run"), include_completed: flag("include_completed"), reason }, unknownParam("query parameter"));
/** `?source=` of the endpoints that took no query parameters before (others are still ignored there). */
export const sourceQuery = z.object({ source: sourceParam });

export const reasonBody = z.strictObject({ reason }, unknownParam("field"));
export const campaignActionBody = z.strictObject({
    reason,
    dry_run: z.boolean().optional().describe("Only say what would change (would_change), and whether the real call would be allowed and refused"),
  }, unknownParam("field"));
export const priorityBody = z.strictObject({
    priority: z.number({ message: "priority must be a whole number from -100 to 100" }).int("priority must be a whole number from -100 to 100").min(-100, "priority must be at least -100").max(100, "priority must be at most 100"),
    reason,
  }, unknownParam("field"));
export const recoverStaleBodyFor = (defaultSource?: string) =>
  perSource(z.strictObject({
    source: bodySource,
    ids: idsField("Only these jobs (each only if its lease expired); another source: job keys"),
    worker_id: z.string().trim().min(1).max(200).optional().describe("The running jobs of this worker whose lease expired, once it is offline"),
    force: z.boolean().optional().describe("With worker_id only: also release the worker's leases that have not expired. The worker may only be paused and still run them: they could run twice. Audited as forced"),
    reason,
  }, unknownParam("field")), sourceIds, defaultSource);
export const recoverStaleBody = recoverStaleBodyFor();

// Responses: lib/api/response-schemas (re-exported here, so `S.*` names every schema).
export * from "./response-schemas";

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
