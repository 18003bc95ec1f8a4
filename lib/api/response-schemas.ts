// The API's response schemas (the OpenAPI document's answers): the runbook's job shape, shared by
// every source (jobdeck's numeric ids, another source's string keys), summaries, bulk results.
import { z } from "zod";
import { JOB_STATES } from "../queue/state-machine";

const ts = z.string().describe("ISO 8601 time");
const state = z.enum(JOB_STATES);

export const apiJob = z.object({
  id: z.union([z.number().int(), z.string()]).describe("jobdeck: the job id (a number); another source: the job's key (a string, the same as key)"),
  key: z.string().describe("The job's id in URLs and actions, as a string: jobdeck 42, pg-boss <queue>:<uuid>, graphile-worker 42"),
  source: z.string().describe("The source the job belongs to (jobdeck, or a name of JOBDECK_SOURCES)"),
  kind: z.string(),
  queue: z.string(),
  state,
  native_state: z.string().describe("The job system's own state name (pg-boss created/retry/active..., graphile-worker's derived states); jobdeck: the same as state"),
  attempts: z.number().int(),
  max_attempts: z.number().int().nullable().describe("null where the source has no limit"),
  priority: z.number().int(),
  last_error: z.string().nullable().describe("jobdeck, and any job detail: the whole last error; another source's list: its first line (at most 300 characters)"),
  locked_by: z.string().nullable().describe("The worker holding the job while it runs, where the source records it"),
  locked_until: ts.nullable(),
  is_stale: z.boolean().nullable().describe("Running with an expired lease. Another source's list: judged from locked_until by Jobdeck's clock; null when the source gives no lease end"),
  can_retry: z.boolean().nullable().describe("null in another source's list (its job detail says)"),
  recovery_hint: z.string().nullable().describe("null in another source's list (its job detail says)"),
  created_at: ts,
  run_at: ts.nullable(),
  started_at: ts.nullable(),
  finished_at: ts.nullable(),
  campaign_id: z.number().int().nullable(),
});

const ifNative = (what: string) => `${what}; null for another source`;
export const jobsSummary = z.object({
  by_status: z.record(z.string(), z.number().int().nullable()).describe("Jobs by state. jobdeck: every state exact (from counters kept with the transitions; by_status_capped is all false). Another source: its own capped counts; null for a state it does not keep (graphile-worker: completed, cancelled)"),
  by_status_capped: z.record(z.string(), z.boolean().nullable()).describe("true where by_status is a lower bound (\"at least\")"),
  count_cap: z.number().int().nullable().describe(ifNative("The cap of the capped counts")),
  by_kind: z.record(z.string(), z.number().int()).nullable().describe(ifNative("Active jobs (pending, running, failed) by kind, exact")),
  by_kind_states: z.array(state).nullable(),
  oldest_pending_age_minutes: z.number().nullable().describe("Minutes the oldest ready pending job has waited past its run_at"),
  stale_jobs_count: z.number().int().nullable().describe("Running jobs whose lease expired; null where the source cannot tell"),
  estimated_total_jobs: z.number().int().nullable().describe(ifNative("The planner's estimate of all jobs (pg_class.reltuples)")),
  as_of: z.string().describe("When the summary was computed (ISO time); it is shared between requests for a few seconds"),
});

const anotherSource = (what: string) => `Another source only: ${what}`;
export const listJobsResponse = z.object({
  source: z.string().optional().describe(anotherSource("its name")),
  summary: jobsSummary,
  jobs: z.array(apiJob),
  page: z.number().int().nullable(),
  per_page: z.number().int(),
  next_cursor: z.union([z.number().int(), z.string()]).nullable().describe("Pass as cursor for the next page; null on the last. jobdeck: a job id; another source: an opaque string"),
  prev_cursor: z.string().nullable().optional().describe(anotherSource("the cursor of the previous (newer) page; not accepted as cursor, which pages towards older jobs")),
  has_more: z.boolean(),
});

export const jobDetailResponse = z.object({
  source: z.string().optional().describe(anotherSource("its name")),
  job: apiJob.extend({
    payload: z.unknown(),
    result: z.unknown(),
    progress: z.number().nullable(),
    cancel_requested_at: ts.nullable(),
    parent_id: z.number().int().nullable(),
    progress_message: z.string().nullable().optional().describe(anotherSource("the progress text, where the source keeps one")),
    heartbeat_at: ts.nullable().optional().describe(anotherSource("the job's last heartbeat, where the source keeps one")),
    extra: z.array(z.object({ label: z.string(), value: z.string() })).optional().describe(anotherSource("the job system's own columns worth showing, as text")),
  }),
  attempts: z
    .array(z.object({ attempt: z.number().int(), worker_id: z.string().nullable(), started_at: ts, finished_at: ts.nullable(), outcome: z.string().nullable(), error: z.string().nullable() }))
    .nullable()
    .describe("The attempt history; null for a source that keeps none (capability attempts)"),
  attempts_total: z.number().int().nullable(),
  worker_online: z.boolean().nullable(),
});

export const singleJobResponse = z.object({
  source: z.string().optional().describe(anotherSource("its name")),
  job: apiJob.nullable().describe("The job after the change (another source: null if the job system removed it meanwhile)"),
  changed: z.boolean(),
  cancel_requested: z.boolean().optional(),
});

const nativeBulkResponse = z.object({
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
const foreignBulkResponse = z.object({
  source: z.string(),
  action: z.enum(["retry", "cancel"]),
  dry_run: z.boolean(),
  matched: z.number().int(),
  matched_capped: z.boolean().describe("true where matched is a lower bound (a dry run over a filter counts up to the source's cap)"),
  affected: z.number().int().describe("Changed (dry run: would change)"),
  skipped_running: z.number().int().describe("Skipped because they run"),
  skipped: z.record(z.string(), z.number().int()).describe("Skipped jobs by reason, in the job system's terms"),
  not_found: z.number().int(),
  keys: z.array(z.string()).nullable().describe("The keys changed (at most the source's report limit); null in a dry run"),
  keys_truncated: z.boolean(),
  allowed: z.boolean().optional().describe("Dry run only: false when the real run would be refused (more jobs than bulk_confirm_threshold needs an admin)"),
  bulk_confirm_threshold: z.number().int().optional(),
});
export const bulkResponse = z.union([nativeBulkResponse, foreignBulkResponse]).describe("jobdeck: ids; another source: source, keys and skipped by reason");

const nativeRecoverResponse = z.object({
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
const foreignRecoverResponse = z.object({
  source: z.string(),
  recovered: z.number().int(),
  matched: z.number().int(),
  keys: z.array(z.string()),
  keys_truncated: z.boolean(),
  skipped_by_reason: z.record(z.string(), z.number().int()),
});
export const recoverStaleResponse = z.union([nativeRecoverResponse, foreignRecoverResponse]);

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

