// Reads one page of the Jobs list of a source for the server page and for the live-refresh
// route handler: the rows (Source.listJobs: keyset cursors; the native source runs
// lib/queries/jobs listJobsPage) plus a capped count of everything the filter matches (for
// "select all N matching"). Server-only.
import "server-only";
import type { JobFilter } from "@/lib/filters/job-filter";
import type { Source } from "@/lib/sources/types";
import type { JobsPageView } from "@/components/jobs/types";

/** Counting stops here: beyond it the page says "10,000+" and the bulk preview gives the exact number. */
export const MATCHING_COUNT_CAP = 10_000;

/** Page cursors from the URL: the native source's `beforeId`/`afterId`, any source's `before`/`after`. */
export interface PageCursor {
  before?: string;
  after?: string;
}

export async function loadJobsPage(source: Source, filter: JobFilter, cursor: PageCursor = {}): Promise<JobsPageView> {
  const { limit, beforeId, afterId, ...criteria } = filter;
  const before = cursor.before ?? (beforeId === undefined ? undefined : String(beforeId));
  const after = cursor.after ?? (afterId === undefined ? undefined : String(afterId));
  const page = await source.listJobs({ criteria, limit, before, after });
  const onlyPage = page.next == null && page.prev == null;
  // A single page is its own exact count; otherwise count (capped) what every page holds.
  const matching = onlyPage ? { value: page.jobs.length, capped: false } : await source.countJobs(criteria, MATCHING_COUNT_CAP);
  return { source: source.name, jobs: page.jobs, next: page.next, prev: page.prev, matching, readAt: Date.now() };
}

/** `before`/`after` from search params (opaque cursors of foreign sources; at most one). */
export function pageCursorFrom(get: (name: string) => string | undefined): PageCursor {
  const before = get("before")?.slice(0, 500) || undefined;
  const after = before ? undefined : get("after")?.slice(0, 500) || undefined;
  return { before, after };
}
