// The API's filter fields (state, kind, queue, since, error_prefix, worker) → the shared job filter, and
// the expensive-filter budget those reads spend: one place for every jobs endpoint and source.
import "server-only";
import type { Caller } from "../auth/caller";
import { type JobCriteria, type JobFilter, parseJobFilter } from "../filters/job-filter";
import { spendExpensiveFilter } from "../server/expensive-filter-limit";
import { apiField, rateLimited } from "./errors";
import { MAX_PER_PAGE } from "./schemas";

export interface FilterFields {
  state?: string | string[];
  kind?: string;
  queue?: string;
  since?: string;
  error_prefix?: string;
  worker?: string;
}

/** API filter fields → the shared JobFilter (its errors name the API's fields, see lib/api/errors). */
export function toFilter(f: FilterFields, page: { limit?: number; beforeId?: number }, maxLimit = MAX_PER_PAGE): JobFilter {
  return parseJobFilter(
    { state: f.state, kind: f.kind, queue: f.queue, since: f.since, errorPrefix: f.error_prefix, worker: f.worker, limit: page.limit, beforeId: page.beforeId },
    { maxLimit },
  );
}

export function toCriteria(f: FilterFields): JobCriteria {
  const { limit: _l, beforeId: _b, afterId: _a, ...criteria } = toFilter(f, {});
  return criteria;
}

/** Reads with an unindexed filter (error_prefix, since) spend the caller's budget; 429 when it is spent. */
export function spendBudget(caller: Caller, criteria: JobCriteria): void {
  const refusal = spendExpensiveFilter(caller, criteria, apiField);
  if (refusal) throw rateLimited(refusal);
}

export const hasFilter = (b: FilterFields) => [b.state, b.kind, b.queue, b.since, b.error_prefix, b.worker].some((v) => v !== undefined && v !== "" && !(Array.isArray(v) && !v.length));
