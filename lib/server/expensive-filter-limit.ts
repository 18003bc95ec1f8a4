// The per-caller budget for list queries with expensive filters (the unindexed ones named by
// expensiveFilterFields in lib/filters/job-filter): at most JOBDECK_EXPENSIVE_FILTER_LIMIT such
// queries per JOBDECK_EXPENSIVE_FILTER_WINDOW_SECONDS per signed-in user or API token. The /jobs
// page, its live refresh and the API's job list and export spend from it. Kept in this process's
// memory: with several replicas behind a load balancer each has its own budget.
import type { Caller } from "../auth/caller";
import { expensiveFilterFields, type JobCriteria } from "../filters/job-filter";

export const DEFAULT_EXPENSIVE_FILTER_LIMIT = 60;
export const DEFAULT_EXPENSIVE_FILTER_WINDOW_SECONDS = 60;

/** A rolling window: at most `limit` hits per `windowMs` per key. */
export class RollingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a hit for `key` and returns 0, or (over the limit) records nothing and returns the ms until a hit frees up. */
  take(key: string): number {
    const t = this.now();
    const recent = (this.hits.get(key) ?? []).filter((at) => t - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return Math.max(1, recent[0] + this.windowMs - t);
    }
    recent.push(t);
    this.hits.set(key, recent);
    if (this.hits.size > 1_000) this.forgetIdle(t);
    return 0;
  }

  private forgetIdle(t: number): void {
    for (const [key, list] of this.hits) if (!list.length || t - list[list.length - 1] >= this.windowMs) this.hits.delete(key);
  }
}

function whole(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be a whole number of at least ${min} (got "${raw}")`);
  return n;
}

export function expensiveFilterSettings(env: Record<string, string | undefined> = process.env): { limit: number; windowSeconds: number } {
  return {
    /** 0 turns the budget off. */
    limit: whole(env, "JOBDECK_EXPENSIVE_FILTER_LIMIT", DEFAULT_EXPENSIVE_FILTER_LIMIT, 0),
    windowSeconds: whole(env, "JOBDECK_EXPENSIVE_FILTER_WINDOW_SECONDS", DEFAULT_EXPENSIVE_FILTER_WINDOW_SECONDS, 1),
  };
}

// On globalThis: the page and the route handlers may be separate bundles of this module.
const shared = globalThis as typeof globalThis & { jobdeckExpensiveFilterLimiter?: RollingWindowLimiter | null };

function limiter(): RollingWindowLimiter | null {
  if (shared.jobdeckExpensiveFilterLimiter === undefined) {
    const { limit, windowSeconds } = expensiveFilterSettings();
    shared.jobdeckExpensiveFilterLimiter = limit === 0 ? null : new RollingWindowLimiter(limit, windowSeconds * 1000);
  }
  return shared.jobdeckExpensiveFilterLimiter;
}

export interface ExpensiveFilterRefusal {
  /** Whole seconds until the caller may run one again (the Retry-After header). */
  retryAfterSeconds: number;
  /** The expensive fields of the refused filter, as the caller named them. */
  fields: string[];
  message: string;
}

/** The budget's key: one per API token, one per signed-in user. */
export const callerBudgetKey = (caller: Caller) => (caller.tokenId !== undefined ? `token:${caller.tokenId}` : `user:${caller.name}`);

/**
 * Spends one unit of the caller's budget when `criteria` uses an expensive filter; returns why
 * not when the budget is spent (nothing is run then). `rename` maps URL field names to the
 * caller's (the API says error_prefix).
 */
export function spendExpensiveFilter(caller: Caller, criteria: JobCriteria, rename: (field: string) => string = (f) => f, budget = limiter()): ExpensiveFilterRefusal | null {
  const fields = expensiveFilterFields(criteria).map(rename);
  if (!fields.length || !budget) return null;
  const waitMs = budget.take(callerBudgetKey(caller));
  if (!waitMs) return null;
  const retryAfterSeconds = Math.ceil(waitMs / 1000);
  const windowSeconds = Math.round(budget.windowMs / 1000);
  return {
    retryAfterSeconds,
    fields,
    message:
      `too many searches by ${fields.join(", ")}: these filters read the whole table, so each user or token may run at most ` +
      `${budget.limit.toLocaleString("en-US")} of them every ${windowSeconds.toLocaleString("en-US")} s; try again in ${retryAfterSeconds} s ` +
      `(filters on state, kind, queue, campaign, id or created/finished time are not limited)`,
  };
}
