// The job-list filter, parsed and validated once for the CLI, the pages (URL search params) and
// the HTTP API: states, kind, queue, worker, campaign, a "since" look-back window, created and
// finished time ranges, error prefix / contains, payload contains (JSON), id, a limit and keyset
// cursors. Every field accepts the strings a URL or a command line sends, and every invalid
// field is reported with its name (JobFilterError.issues) so a page can mark the bad filter.
import { z } from "zod";
import { JOB_STATES, type JobState, isJobState } from "../queue/state-machine";

export const DEFAULT_JOB_LIST_LIMIT = 100;
/** Largest page the pages and the API hand out; the CLI passes a larger maxLimit for pipes. */
export const MAX_JOB_LIST_LIMIT = 1_000;
/** Longest payload filter (JSON text): containment is checked row by row, so it stays small. */
export const MAX_PAYLOAD_FILTER_CHARS = 1_000;
/** Longest error-text ("contains") filter: a substring search row by row. */
export const MAX_ERROR_CONTAINS_CHARS = 500;

const SINCE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };
/** Ten years: anything longer is a typo, and it keeps the interval arithmetic exact. */
const MAX_SINCE_SECONDS = 10 * 365 * 86_400;

/**
 * A look-back window in seconds: `45s`, `30m`, `10h`, `2d`, also with a space (`10 h`, as the
 * cirrus CLI writes it) and in either case. Throws on anything else, or on zero.
 */
export function parseSince(value: string): number {
  const m = /^\s*(\d{1,9})\s*([smhd])\s*$/i.exec(value);
  if (!m) throw new Error(`since must be a number followed by s, m, h or d, like 30m, 10h or 2d (got "${value}")`);
  const seconds = Number(m[1]) * SINCE_UNITS[m[2].toLowerCase()];
  if (seconds <= 0) throw new Error(`since must be longer than zero (got "${value}")`);
  if (seconds > MAX_SINCE_SECONDS) throw new Error(`since must be at most 10 years (got "${value}")`);
  return seconds;
}

/** `pending,dead` or ["pending", "dead"] (or a mix, as repeated URL params arrive) → distinct states. */
function parseStates(value: string | readonly string[] | undefined, ctx: z.RefinementCtx): JobState[] {
  if (value === undefined) return [];
  const parts = (typeof value === "string" ? [value] : value)
    .flatMap((v) => v.split(","))
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = parts.filter((s) => !isJobState(s));
  if (unknown.length) {
    ctx.addIssue({
      code: "custom",
      path: ["state"],
      message: `unknown state "${unknown[0]}"; states are ${JOB_STATES.join(", ")}`,
    });
    return [];
  }
  return [...new Set(parts as JobState[])];
}

const optionalText = (what: string) =>
  z
    .string()
    .trim()
    .max(200, `${what} is longer than 200 characters`)
    .optional()
    .transform((v) => (v ? v : undefined));

/** Empty strings (an empty form field, `?kind=`) mean "not given". */
const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

export interface JobFilterOptions {
  maxLimit?: number;
}

export function jobFilterSchema({ maxLimit = MAX_JOB_LIST_LIMIT }: JobFilterOptions = {}) {
  return z
    .object({
      state: z.union([z.string(), z.array(z.string())]).optional(),
      kind: optionalText("kind"),
      queue: optionalText("queue"),
      /** `10h`, `2d`, `30m`, `45s`; or seconds as a number. */
      since: z.preprocess(blankToUndefined, z.union([z.string(), z.number()]).optional()),
      errorPrefix: z.string().max(1_000, "error prefix is longer than 1000 characters").optional(),
      /** Case-insensitive substring of last_error. */
      errorContains: z
        .string()
        .max(MAX_ERROR_CONTAINS_CHARS, `errorContains is longer than ${MAX_ERROR_CONTAINS_CHARS} characters (the limit for error text filters)`)
        .optional(),
      /** The worker running the job (locked_by), or the worker of its last attempt once it ran. */
      worker: optionalText("worker"),
      campaign: z.preprocess(
        blankToUndefined,
        z.coerce
          .number({ message: "campaign must be a campaign id (a positive whole number)" })
          .int("campaign must be a campaign id (a positive whole number)")
          .positive("campaign must be a campaign id (a positive whole number)")
          .optional(),
      ),
      createdSince: timeBoundInput,
      createdUntil: timeBoundInput,
      finishedSince: timeBoundInput,
      finishedUntil: timeBoundInput,
      /** JSON the payload must contain (jsonb `@>`): `{"user_id":42}`. A string, or an object from the API. */
      payload: z.preprocess(blankToUndefined, z.unknown().optional()),
      id: z.preprocess(
        blankToUndefined,
        z.coerce
          .number({ message: "id must be a job id (a positive whole number)" })
          .int("id must be a job id (a positive whole number)")
          .positive("id must be a job id (a positive whole number)")
          .optional(),
      ),
      limit: z.preprocess(
        blankToUndefined,
        z.coerce
          .number({ message: "limit must be a whole number" })
          .int("limit must be a whole number")
          .min(1, "limit must be at least 1")
          .max(maxLimit, `limit must be at most ${maxLimit.toLocaleString("en-US")}`)
          .default(DEFAULT_JOB_LIST_LIMIT),
      ),
      /** Keyset cursor: only jobs with a smaller id (the list is ordered newest id first). */
      beforeId: z.preprocess(
        blankToUndefined,
        z.coerce.number().int("cursor must be a job id").positive("cursor must be a job id").optional(),
      ),
      /** "Previous page" cursor: the `limit` jobs just newer than this id (still shown newest first). */
      afterId: z.preprocess(
        blankToUndefined,
        z.coerce
          .number({ message: "afterId must be a job id" })
          .int("afterId must be a job id")
          .positive("afterId must be a job id")
          .optional(),
      ),
    })
    .strict()
    .transform((v, ctx): JobFilter => {
      const states = parseStates(v.state, ctx);
      let sinceSeconds: number | undefined;
      if (typeof v.since === "number") {
        if (!Number.isInteger(v.since) || v.since <= 0 || v.since > MAX_SINCE_SECONDS) {
          ctx.addIssue({ code: "custom", path: ["since"], message: "since must be a positive number of seconds" });
        } else sinceSeconds = v.since;
      } else if (v.since !== undefined) {
        try {
          sinceSeconds = parseSince(v.since);
        } catch (err) {
          ctx.addIssue({ code: "custom", path: ["since"], message: (err as Error).message });
        }
      }
      const bound = (field: TimeField) => {
        const raw = v[field];
        if (raw === undefined) return undefined;
        try {
          return parseTimeBound(raw, field);
        } catch (err) {
          ctx.addIssue({ code: "custom", path: [field], message: (err as Error).message });
          return undefined;
        }
      };
      const createdSince = bound("createdSince");
      const createdUntil = bound("createdUntil");
      const finishedSince = bound("finishedSince");
      const finishedUntil = bound("finishedUntil");
      let payloadContains: unknown;
      if (v.payload !== undefined) {
        try {
          payloadContains = parsePayloadFilter(v.payload);
        } catch (err) {
          ctx.addIssue({ code: "custom", path: ["payload"], message: (err as Error).message });
        }
      }
      if (v.beforeId !== undefined && v.afterId !== undefined) {
        ctx.addIssue({ code: "custom", path: ["afterId"], message: "give beforeId (next page) or afterId (previous page), not both" });
      }
      const filter: JobFilter = {
        states,
        kind: v.kind,
        queue: v.queue,
        sinceSeconds,
        errorPrefix: v.errorPrefix === "" ? undefined : v.errorPrefix,
        limit: v.limit,
        beforeId: v.beforeId,
      };
      // New fields appear only when given, so a filter compares equal to the CLI's older shape.
      if (v.worker !== undefined) filter.worker = v.worker;
      if (v.campaign !== undefined) filter.campaignId = v.campaign;
      if (createdSince) filter.createdSince = createdSince;
      if (createdUntil) filter.createdUntil = createdUntil;
      if (finishedSince) filter.finishedSince = finishedSince;
      if (finishedUntil) filter.finishedUntil = finishedUntil;
      if (v.errorContains) filter.errorContains = v.errorContains;
      if (payloadContains !== undefined) filter.payloadContains = payloadContains;
      if (v.id !== undefined) filter.id = v.id;
      if (v.afterId !== undefined) filter.afterId = v.afterId;
      return filter;
    });
}

export type JobFilterInput = z.input<ReturnType<typeof jobFilterSchema>>;

export interface JobFilter {
  /** Empty means every state. */
  states: JobState[];
  kind?: string;
  queue?: string;
  /** Only jobs whose coalesce(finished_at, started_at, created_at) is within this many seconds. */
  sinceSeconds?: number;
  /** Only jobs whose last_error starts with this text (case-sensitive). */
  errorPrefix?: string;
  limit: number;
  beforeId?: number;
  /** The worker running the job, or (for jobs that ran) the worker of its last attempt. */
  worker?: string;
  campaignId?: number;
  /** created_at >= bound (inclusive). */
  createdSince?: TimeBound;
  /** created_at < bound (exclusive). */
  createdUntil?: TimeBound;
  finishedSince?: TimeBound;
  finishedUntil?: TimeBound;
  /** Case-insensitive substring of last_error. */
  errorContains?: string;
  /** A JSON object or array the payload must contain (jsonb `@>`). */
  payloadContains?: unknown;
  /** Exactly this job. */
  id?: number;
  /** "Previous page": the jobs just newer than this id. Exclusive with beforeId. */
  afterId?: number;
}

/** The part of a filter that selects jobs: no page size, no cursor. Bulk actions take this. */
export type JobCriteria = Omit<JobFilter, "limit" | "beforeId" | "afterId">;

/**
 * The filter fields whose cost is not bounded by the page size (see lib/queries/job-filter-sql):
 * payload (no index: row by row, newest first) and errorContains / errorPrefix (a trigram index
 * narrows them, but a text shorter than three characters, or a match many jobs share but few of them pass the other filters, still
 * tests row by row), worker (a walk of that worker's whole attempt history when few of them
 * match) and since (an expression over three columns). state, kind, queue, campaign and the created/finished ranges have indexes;
 * `id` makes any filter one row. A list query with one of these counts against the caller's
 * budget (lib/server/expensive-filters).
 */
const EXPENSIVE_FIELDS: readonly (readonly [keyof JobCriteria, (typeof JOB_FILTER_FIELDS)[number]])[] = [
  ["payloadContains", "payload"],
  ["errorContains", "errorContains"],
  ["errorPrefix", "errorPrefix"],
  ["worker", "worker"],
  ["sinceSeconds", "since"],
];

/** The URL names of the expensive fields this filter uses (empty when it is cheap). */
export function expensiveFilterFields(criteria: JobCriteria): string[] {
  if (criteria.id !== undefined) return [];
  return EXPENSIVE_FIELDS.filter(([key]) => criteria[key] !== undefined).map(([, name]) => name);
}

/**
 * A point in time for the created/finished ranges: `ago` seconds before the database's now()
 * (from `10h`, `2d`), or an absolute instant (from an ISO date).
 */
export type TimeBound = { ago: number } | { at: Date };

type TimeField = "createdSince" | "createdUntil" | "finishedSince" | "finishedUntil";
export const TIME_FILTER_FIELDS: readonly TimeField[] = ["createdSince", "createdUntil", "finishedSince", "finishedUntil"];

const timeBoundInput = z.preprocess(blankToUndefined, z.union([z.string(), z.date()]).optional());

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `10h`, `2d`, `30m`, `45s` (that long ago), or an ISO date: `2025-06-01` (midnight UTC),
 * `2025-06-01T12:00` (UTC when no offset is given), `2025-06-01T12:00:00+02:00`.
 */
export function parseTimeBound(value: string | Date, field = "time"): TimeBound {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error(`${field} is not a valid date`);
    return { at: value };
  }
  const text = value.trim();
  const bad = () =>
    new Error(`${field} must be a duration like 30m, 10h or 2d, or a date like 2025-06-01 or 2025-06-01T12:00:00Z (got "${value}")`);
  if (/^\d/.test(text) && /[smhd]$/i.test(text) && !text.includes("-")) {
    try {
      return { ago: parseSince(text) };
    } catch {
      throw bad();
    }
  }
  const m = ISO_DATE.exec(text);
  if (!m) throw bad();
  const normalized = m[4] === undefined ? `${text.slice(0, 10)}T00:00:00Z` : m[7] ? text.replace(" ", "T") : `${text.replace(" ", "T")}Z`;
  const at = new Date(normalized);
  if (Number.isNaN(at.getTime())) throw bad();
  // Without an offset the instant is UTC, so its calendar date must be the one written
  // (2025-02-30 must not silently become March 2nd).
  if (!m[7] && (at.getUTCMonth() + 1 !== Number(m[2]) || at.getUTCDate() !== Number(m[3]))) throw bad();
  return { at };
}

/** The payload filter: JSON text (from a URL) or an already-parsed object (from the API). */
export function parsePayloadFilter(value: unknown): unknown {
  let parsed = value;
  if (typeof value === "string") {
    if (value.length > MAX_PAYLOAD_FILTER_CHARS) {
      throw new Error(`payload filter is longer than ${MAX_PAYLOAD_FILTER_CHARS.toLocaleString("en-US")} characters (the limit for payload filters)`);
    }
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      throw new Error(`payload must be JSON, like {"user_id": 42} (${(err as Error).message})`);
    }
  }
  if (parsed === null || typeof parsed !== "object") {
    throw new Error(`payload must be a JSON object or array the payload contains, like {"user_id": 42}`);
  }
  // An object from the API is held to the same size as the text from a URL.
  if (typeof value !== "string" && JSON.stringify(parsed).length > MAX_PAYLOAD_FILTER_CHARS) {
    throw new Error(`payload filter is longer than ${MAX_PAYLOAD_FILTER_CHARS.toLocaleString("en-US")} characters as JSON (the limit for payload filters)`);
  }
  return parsed;
}

export interface JobFilterIssue {
  /** The filter field, as named in the URL / API (`state`, `createdSince`, `payload`, ...); "" for the filter as a whole. */
  field: string;
  message: string;
}

export class JobFilterError extends Error {
  /** Every invalid field, first one first; `message` is the first issue's message. */
  readonly issues: JobFilterIssue[];
  constructor(message: string, issues?: JobFilterIssue[]) {
    super(message);
    this.name = "JobFilterError";
    this.issues = issues ?? [{ field: "", message }];
  }
  /** The first invalid field's name ("" when the error is not about one field). */
  get field(): string {
    return this.issues[0]?.field ?? "";
  }
  /** field → messages, the shape of a form's fieldErrors. */
  fieldErrors(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const i of this.issues) (out[i.field || "filter"] ??= []).push(i.message);
    return out;
  }
}

/** Parses and validates a filter; throws JobFilterError with a one-line message (and every issue). */
export function parseJobFilter(input: unknown, opts?: JobFilterOptions): JobFilter {
  const r = safeParseJobFilter(input, opts);
  if (r.ok) return r.filter;
  throw r.error;
}

// Building a zod schema costs far more than parsing with it: one per maxLimit, made once.
const schemas = new Map<number, ReturnType<typeof jobFilterSchema>>();
function cachedSchema(maxLimit: number): ReturnType<typeof jobFilterSchema> {
  let s = schemas.get(maxLimit);
  if (!s) schemas.set(maxLimit, (s = jobFilterSchema({ maxLimit })));
  return s;
}

/** Like parseJobFilter, as a value: for pages that show every invalid field next to its input. */
export function safeParseJobFilter(
  input: unknown,
  opts?: JobFilterOptions,
): { ok: true; filter: JobFilter } | { ok: false; error: JobFilterError } {
  const schema = cachedSchema(opts?.maxLimit ?? MAX_JOB_LIST_LIMIT);
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, filter: parsed.data };
  const zodIssues = [...parsed.error.issues];
  // zod skips the cross-field checks (states, times, payload) once a field fails on its own;
  // parse again without the failing fields so every invalid field is reported at once.
  if (input && typeof input === "object" && !Array.isArray(input)) {
    let rest: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    for (let round = 0; round < 3; round++) {
      const failed = new Set(zodIssues.map((i) => (i.code === "unrecognized_keys" ? (i as { keys: string[] }).keys : [String(i.path[0] ?? "")])).flat());
      const next = Object.fromEntries(Object.entries(rest).filter(([k]) => !failed.has(k)));
      if (Object.keys(next).length === Object.keys(rest).length) break;
      rest = next;
      const again = schema.safeParse(rest);
      if (again.success) break;
      zodIssues.push(...again.error.issues.filter((i) => !failed.has(String(i.path[0] ?? ""))));
    }
  }
  const issues: JobFilterIssue[] = zodIssues.map((issue) => {
    const field = issue.path.length ? String(issue.path[0]) : "";
    // Our own messages name their field; zod's defaults ("Invalid input: ...") get it prefixed.
    if (issue.code === "unrecognized_keys") {
      const keys = (issue as { keys: string[] }).keys;
      return { field: keys[0] ?? "", message: `unknown filter field ${keys.map((k) => `"${k}"`).join(", ")}` };
    }
    return { field, message: field && /^invalid/i.test(issue.message) ? `${field}: ${issue.message}` : issue.message };
  });
  return { ok: false, error: new JobFilterError(issues[0].message, issues) };
}

/** The URL / API names of every filter field. */
export const JOB_FILTER_FIELDS = [
  "state",
  "kind",
  "queue",
  "worker",
  "campaign",
  "since",
  "createdSince",
  "createdUntil",
  "finishedSince",
  "finishedUntil",
  "errorPrefix",
  "errorContains",
  "payload",
  "id",
  "limit",
  "beforeId",
  "afterId",
] as const;

type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

/**
 * The filter fields of a page's search params (Next's `searchParams` object or URLSearchParams),
 * ignoring every other parameter (selection, tabs, ...). Feed the result to (safe)parseJobFilter.
 */
export function jobFilterInputFromSearchParams(sp: SearchParamsLike): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of JOB_FILTER_FIELDS) {
    const values = sp instanceof URLSearchParams ? sp.getAll(key) : ([] as string[]).concat(sp[key] ?? []);
    if (!values.length) continue;
    out[key] = key === "state" ? values : values[values.length - 1];
  }
  return out;
}

function durationText(seconds: number): string {
  for (const [unit, n] of [["d", 86_400], ["h", 3_600], ["m", 60]] as const) if (seconds % n === 0) return `${seconds / n}${unit}`;
  return `${seconds}s`;
}

/** A filter back as URL search params (for links: next/previous page, shareable URLs). Cursors included when set. */
export function jobFilterToSearchParams(f: Partial<JobFilter>): URLSearchParams {
  const sp = new URLSearchParams();
  const set = (k: string, v: string | number | undefined) => {
    if (v !== undefined && v !== "") sp.set(k, String(v));
  };
  if (f.states?.length) set("state", f.states.join(","));
  set("kind", f.kind);
  set("queue", f.queue);
  set("worker", f.worker);
  set("campaign", f.campaignId);
  if (f.sinceSeconds !== undefined) set("since", durationText(f.sinceSeconds));
  for (const k of TIME_FILTER_FIELDS) {
    const b = f[k];
    if (b) set(k, "ago" in b ? durationText(b.ago) : b.at.toISOString());
  }
  set("errorPrefix", f.errorPrefix);
  set("errorContains", f.errorContains);
  if (f.payloadContains !== undefined) set("payload", JSON.stringify(f.payloadContains));
  set("id", f.id);
  if (f.limit !== undefined && f.limit !== DEFAULT_JOB_LIST_LIMIT) set("limit", f.limit);
  set("beforeId", f.beforeId);
  set("afterId", f.afterId);
  return sp;
}
