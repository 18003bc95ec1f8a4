// The audit-log filter, parsed once for the /audit page (URL search params) and its exports:
// actor (case-insensitive substring), action (exact, or a prefix ending in `*`: `jobs.*`),
// outcome, a time range (`since`/`until`: `10h`, `2d` ago or an ISO date, as the job filter's
// time ranges), a target job id, a page size and keyset cursors (newest first, by id). Every
// invalid field is reported with its name, the way lib/filters/job-filter.ts does it.
import { z } from "zod";
import { JobFilterError, parseTimeBound, type TimeBound } from "./job-filter";

export const DEFAULT_AUDIT_LIMIT = 50;
export const MAX_AUDIT_LIMIT = 500;
export const AUDIT_OUTCOMES = ["ok", "partial", "refused", "error", "pending", "unknown"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditFilter {
  /** Case-insensitive substring of the actor. */
  actor?: string;
  /** Exact action, or a prefix when `actionPrefix` is set (from `jobs.*`). */
  action?: string;
  actionPrefix?: boolean;
  outcome?: AuditOutcome;
  /** at >= since (inclusive). */
  since?: TimeBound;
  /** at < until (exclusive). */
  until?: TimeBound;
  /** Events whose target_ids contain this job id. */
  jobId?: number;
  /** Events on this source (`jobdeck` = the native queue). */
  source?: string;
  /** Events whose target_keys contain this job key (a foreign source's job). */
  jobKey?: string;
  limit: number;
  /** Next (older) page: events with a smaller id. */
  beforeId?: number;
  /** Previous (newer) page: events with a larger id. Exclusive with beforeId. */
  afterId?: number;
}

/** The part of a filter that selects events (what the exports take): no page size, no cursor. */
export type AuditCriteria = Omit<AuditFilter, "limit" | "beforeId" | "afterId">;

export const AUDIT_FILTER_FIELDS = ["actor", "action", "outcome", "since", "until", "job", "source", "key", "limit", "beforeId", "afterId"] as const;
export type AuditFilterField = (typeof AUDIT_FILTER_FIELDS)[number];

export const AUDIT_FILTER_LABELS: Record<string, string> = {
  actor: "Actor",
  action: "Action",
  outcome: "Outcome",
  since: "Since",
  until: "Until",
  job: "Job id",
  source: "Source",
  key: "Job key",
  limit: "Page size",
  beforeId: "Page cursor",
  afterId: "Page cursor",
};

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v === null ? undefined : v);

const text = (what: string, max = 200) =>
  z.preprocess(blankToUndefined, z.string().trim().max(max, `${what} is longer than ${max} characters`).optional());

const positiveId = (message: string) =>
  z.preprocess(blankToUndefined, z.coerce.number({ message }).int(message).positive(message).max(Number.MAX_SAFE_INTEGER, message).optional());

const timeBound = (field: "since" | "until") =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx): TimeBound | undefined => {
        if (v === undefined) return undefined;
        try {
          return parseTimeBound(v, field);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: (err as Error).message });
          return z.NEVER;
        }
      }),
  );

const schema = z
  .object({
    actor: text("actor"),
    action: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .max(200, "action is longer than 200 characters")
        .regex(/^[A-Za-z0-9_.:-]+\*?$/, 'action must be an action name like jobs.retry, or a prefix ending in * like jobs.*')
        .optional(),
    ),
    outcome: z.preprocess(
      (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : v.trim().toLowerCase()) : v),
      z.enum(AUDIT_OUTCOMES, { message: `outcome must be one of ${AUDIT_OUTCOMES.join(", ")}` }).optional(),
    ),
    since: timeBound("since"),
    until: timeBound("until"),
    job: positiveId("job must be a job id (a positive whole number)"),
    source: text("source", 60),
    key: text("key", 300),
    limit: z.preprocess(
      blankToUndefined,
      z.coerce
        .number({ message: "limit must be a whole number" })
        .int("limit must be a whole number")
        .min(1, "limit must be at least 1")
        .max(MAX_AUDIT_LIMIT, `limit must be at most ${MAX_AUDIT_LIMIT}`)
        .default(DEFAULT_AUDIT_LIMIT),
    ),
    beforeId: positiveId("beforeId must be an audit event id"),
    afterId: positiveId("afterId must be an audit event id"),
  })
  .strict();

export class AuditFilterError extends JobFilterError {
  constructor(message: string, issues?: { field: string; message: string }[]) {
    super(message, issues);
    this.name = "AuditFilterError";
  }
}

/** Like parseAuditFilter, as a value: every invalid field at once, for the page to mark. */
export function safeParseAuditFilter(input: unknown): { ok: true; filter: AuditFilter } | { ok: false; error: AuditFilterError } {
  const parsed = schema.safeParse(input);
  const issues: { field: string; message: string }[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        const keys = (issue as { keys: string[] }).keys;
        issues.push({ field: keys[0] ?? "", message: `unknown filter field ${keys.map((k) => `"${k}"`).join(", ")}` });
        continue;
      }
      const field = issue.path.length ? String(issue.path[0]) : "";
      issues.push({ field, message: field && /^invalid/i.test(issue.message) ? `${field}: ${issue.message}` : issue.message });
    }
  } else {
    const v = parsed.data;
    if (v.beforeId !== undefined && v.afterId !== undefined) {
      issues.push({ field: "afterId", message: "give beforeId (next page) or afterId (previous page), not both" });
    }
    const s = v.since;
    const u = v.until;
    if (s && u && (("at" in s && "at" in u && s.at >= u.at) || ("ago" in s && "ago" in u && s.ago <= u.ago))) {
      issues.push({ field: "until", message: "until must be later than since" });
    }
    if (!issues.length) {
      const f: AuditFilter = { limit: v.limit };
      if (v.actor) f.actor = v.actor;
      if (v.action) {
        f.action = v.action.endsWith("*") ? v.action.slice(0, -1) : v.action;
        if (v.action.endsWith("*")) f.actionPrefix = true;
      }
      if (v.outcome) f.outcome = v.outcome;
      if (v.since) f.since = v.since;
      if (v.until) f.until = v.until;
      if (v.job !== undefined) f.jobId = v.job;
      if (v.source) f.source = v.source;
      if (v.key) f.jobKey = v.key;
      if (v.beforeId !== undefined) f.beforeId = v.beforeId;
      if (v.afterId !== undefined) f.afterId = v.afterId;
      return { ok: true, filter: f };
    }
  }
  return { ok: false, error: new AuditFilterError(issues[0]?.message ?? "invalid filter", issues) };
}

/** Parses and validates; throws AuditFilterError (its `issues` name every invalid field). */
export function parseAuditFilter(input: unknown): AuditFilter {
  const r = safeParseAuditFilter(input);
  if (r.ok) return r.filter;
  throw r.error;
}

type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

/** The audit filter fields of a page's search params (the last value of a repeated one), ignoring the rest. */
export function auditFilterInputFromSearchParams(sp: SearchParamsLike): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of AUDIT_FILTER_FIELDS) {
    const values = sp instanceof URLSearchParams ? sp.getAll(key) : ([] as string[]).concat(sp[key] ?? []);
    if (values.length) out[key] = values[values.length - 1];
  }
  return out;
}
