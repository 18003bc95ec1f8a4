// The job-list filter, parsed and validated once for the CLI, the pages (URL search params) and
// the HTTP API: states, kind, queue, a "since" look-back window, an error prefix, a limit and a
// keyset cursor. Every field accepts the strings a URL or a command line sends.
import { z } from "zod";
import { JOB_STATES, type JobState, isJobState } from "../queue/state-machine";

export const DEFAULT_JOB_LIST_LIMIT = 100;
/** Largest page the pages and the API hand out; the CLI passes a larger maxLimit for pipes. */
export const MAX_JOB_LIST_LIMIT = 1_000;

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
      return {
        states,
        kind: v.kind,
        queue: v.queue,
        sinceSeconds,
        errorPrefix: v.errorPrefix === "" ? undefined : v.errorPrefix,
        limit: v.limit,
        beforeId: v.beforeId,
      };
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
}

export class JobFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobFilterError";
  }
}

/** Parses and validates a filter; throws JobFilterError with a one-line message. */
export function parseJobFilter(input: unknown, opts?: JobFilterOptions): JobFilter {
  const parsed = jobFilterSchema(opts).safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length ? String(issue.path[0]) : "";
  // Our own messages name their field; zod's defaults ("Invalid input: ...") get it prefixed.
  const message =
    issue.code === "unrecognized_keys"
      ? `unknown filter field ${(issue as { keys: string[] }).keys.map((k) => `"${k}"`).join(", ")}`
      : field && /^invalid/i.test(issue.message)
        ? `${field}: ${issue.message}`
        : issue.message;
  throw new JobFilterError(message);
}
