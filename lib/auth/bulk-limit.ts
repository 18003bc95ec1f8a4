// The one rule for large bulk actions: changing more than JOBDECK_BULK_CONFIRM_THRESHOLD jobs
// (default 1,000) at once needs the admin role. Server actions and API routes pass
// bulkGuard(caller) to applyBulk and to the campaign operations, which ask before changing anything.
import { AuthorizationError, type Caller, hasRole } from "./caller";

export const DEFAULT_BULK_CONFIRM_THRESHOLD = 1000;

export function bulkConfirmThreshold(env: Record<string, string | undefined> = process.env): number {
  const raw = env.JOBDECK_BULK_CONFIRM_THRESHOLD?.trim();
  if (!raw) return DEFAULT_BULK_CONFIRM_THRESHOLD;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new Error(`JOBDECK_BULK_CONFIRM_THRESHOLD must be a positive whole number of jobs (got "${raw}")`);
  }
  return n;
}

/** Whether `caller` may change `count` jobs in one action. */
export function mayChangeJobs(caller: Caller | null, count: number, threshold = bulkConfirmThreshold()): boolean {
  return count <= threshold || hasRole(caller, "admin");
}

/** The guard of applyBulk and the campaign operations for `caller`: throws a 403 naming the count, the threshold and `hint`. */
export function bulkGuard(caller: Caller, hint = "narrow the filter or set a limit"): (willChange: number) => void {
  return (willChange) => {
    const threshold = bulkConfirmThreshold();
    if (!mayChangeJobs(caller, willChange, threshold)) {
      throw new AuthorizationError(
        403,
        `this would change ${willChange.toLocaleString("en-US")} jobs; more than ${threshold.toLocaleString("en-US")} at once needs the admin role (${hint})`,
      );
    }
  };
}

/** The hint of a refused campaign action: there is no filter to narrow. */
export const CAMPAIGN_LIMIT_HINT = "an admin can run it";
