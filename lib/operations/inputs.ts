// zod schemas for the operator actions' inputs, shared by the server actions and the HTTP API.
// They accept what forms and URLs send: ids as "1,2,3" or arrays of strings, the filter as an
// object of URL fields or as a query string ("state=dead&kind=email"), booleans as "on"/"true".
import { z } from "zod";
import { type JobCriteria, jobFilterInputFromSearchParams, safeParseJobFilter } from "../filters/job-filter";
import { BULK_ACTIONS } from "./bulk";

/** Most ids one request may name explicitly; larger sets go by filter. */
export const MAX_EXPLICIT_IDS = 100_000;

const blank = (v: unknown) => (v === "" || v === null ? undefined : v);

export const idsInput = z.preprocess(
  (v) => {
    if (v === undefined || v === null || v === "") return undefined;
    const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === "string" ? x.split(/[\s,]+/) : [x])).filter((x) => x !== "");
    return parts.map((x) => (typeof x === "string" && /^\d+$/.test(x) ? Number(x) : x));
  },
  z
    .array(z.number({ message: "ids must be job ids" }).int("ids must be job ids").positive("ids must be job ids"))
    .min(1, "select at least one job")
    .max(MAX_EXPLICIT_IDS, `at most ${MAX_EXPLICIT_IDS.toLocaleString("en-US")} ids at once; use a filter for more`)
    .optional(),
);

/** A job filter (URL fields) → JobCriteria; each invalid field is reported as `filter.<field>`. */
export const filterInput = z.preprocess(
  (v) => (typeof v === "string" ? jobFilterInputFromSearchParams(new URLSearchParams(v.replace(/^\?/, ""))) : blank(v)),
  z
    .record(z.string(), z.unknown())
    .optional()
    .transform((v, ctx): JobCriteria | undefined => {
      if (v === undefined) return undefined;
      // Cursors and page size belong to the page, not to "everything matching".
      const { limit: _l, beforeId: _b, afterId: _a, ...fields } = v;
      const r = safeParseJobFilter(fields);
      if (r.ok) {
        const { limit: _limit, beforeId: _before, afterId: _after, ...criteria } = r.filter;
        return criteria;
      }
      for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: i.field ? [i.field] : [], message: i.message });
      return z.NEVER;
    }),
);

export const reasonInput = z.preprocess(blank, z.string().trim().max(500, "reason is longer than 500 characters").optional());

export const booleanInput = z.preprocess(
  (v) => (v === undefined || v === "" ? undefined : v === true || v === "true" || v === "on" || v === "1"),
  z.boolean().optional(),
);

export const priorityInput = z.preprocess(
  blank,
  z.coerce
    .number({ message: "priority must be a whole number from -100 to 100" })
    .int("priority must be a whole number from -100 to 100")
    .min(-100, "priority must be at least -100")
    .max(100, "priority must be at most 100"),
);

export const bulkLimitInput = z.preprocess(
  blank,
  z.coerce.number({ message: "limit must be a whole number" }).int("limit must be a whole number").min(1, "limit must be at least 1").optional(),
);

/** The source acted on (lib/sources): absent or empty = the native queue `jobdeck`. */
export const sourceInput = z.preprocess(blank, z.string().trim().max(60, "source is longer than 60 characters").optional());

/** Job keys (strings: any source's jobs), as "a,b" or an array; the native source's keys are its ids. */
export const keysInput = z.preprocess(
  (v) => {
    if (v === undefined || v === null || v === "") return undefined;
    return (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === "string" ? x.split(/[\s,]+/) : [String(x)])).filter((x) => x !== "");
  },
  z
    .array(z.string().max(300, "a job key is longer than 300 characters"))
    .min(1, "select at least one job")
    .max(MAX_EXPLICIT_IDS, `at most ${MAX_EXPLICIT_IDS.toLocaleString("en-US")} jobs at once; use a filter for more`)
    .optional(),
);

/** ids, keys or filter, exactly one; and the source. */
export const bulkTargetInput = z
  .object({ source: sourceInput, ids: idsInput, keys: keysInput, filter: filterInput, limit: bulkLimitInput })
  .superRefine((v, ctx) => {
    if ([v.ids, v.keys, v.filter].filter((x) => x !== undefined).length !== 1) {
      ctx.addIssue({ code: "custom", path: ["ids"], message: "select jobs, or choose \"all matching this filter\"" });
    }
  });

export const previewBulkInput = bulkTargetInput.and(
  z.object({
    action: z.enum(BULK_ACTIONS, { message: `action must be one of ${BULK_ACTIONS.join(", ")}` }),
    includeCompleted: booleanInput,
    priority: z.preprocess(blank, priorityInput.optional()),
  }),
);

export const recoverStaleInput = z
  .object({
    source: sourceInput,
    ids: idsInput,
    keys: keysInput,
    all: booleanInput,
    workerId: z.preprocess(blank, z.string().trim().min(1).max(200, "workerId is longer than 200 characters").optional()),
    /** With workerId: also release leases that have not expired (they could run twice). */
    force: booleanInput,
    reason: reasonInput,
  })
  .superRefine((v, ctx) => {
    const n = [v.ids !== undefined || v.keys !== undefined, v.all === true, v.workerId !== undefined].filter(Boolean).length;
    if (n !== 1) ctx.addIssue({ code: "custom", path: ["ids"], message: "choose the stale jobs to recover: selected ids, all stale, or one worker's jobs" });
    if (v.force && v.workerId === undefined) ctx.addIssue({ code: "custom", path: ["force"], message: "force applies to one offline worker's jobs only (workerId)" });
  });
