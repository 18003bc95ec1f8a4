// Reads one page of the Jobs list for the server page and for the live-refresh route handler:
// the rows (lib/queries/jobs listJobsPage, keyset cursors) plus a capped count of everything the
// filter matches (for "select all N matching"). Server-only.
import "server-only";
import type { Sql } from "@/db/client";
import type { JobFilter } from "@/lib/filters/job-filter";
import { type JobPageRow, jobIdsSql, listJobsPage } from "@/lib/queries/jobs";
import type { JobRowView, JobsPageView } from "@/components/jobs/types";

/** Counting stops here: beyond it the page says "10,000+" and the bulk preview gives the exact number. */
export const MATCHING_COUNT_CAP = 10_000;

const iso = (d: Date | string | null): string | null => (d == null ? null : new Date(d).toISOString());

function toView(r: JobPageRow): JobRowView {
  return {
    id: Number(r.id),
    kind: r.kind,
    queue: r.queue,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    priority: r.priority,
    worker: r.worker,
    createdAt: iso(r.created_at)!,
    runAt: iso(r.run_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    cancelRequested: r.cancel_requested,
    campaignId: r.campaign_id,
    runtimeMs: r.runtime_ms,
    errorLine: r.error_line,
  };
}

/**
 * A bounded count: reads at most CAP+1 ids along the same ordered index scan as the list.
 * TODO(backend): move to lib/queries/jobs.ts as countJobsCapped(q, criteria, cap).
 */
async function countMatchingCapped(q: Sql, filter: JobFilter): Promise<{ value: number; capped: boolean }> {
  const params: unknown[] = [];
  const ids = jobIdsSql(filter, { limit: MATCHING_COUNT_CAP + 1 }, params);
  const [row] = await q.query<{ n: number }>(`select count(*)::int as n from (${ids}) x`, params);
  const n = Number(row?.n ?? 0);
  return n > MATCHING_COUNT_CAP ? { value: MATCHING_COUNT_CAP, capped: true } : { value: n, capped: false };
}

export async function loadJobsPage(q: Sql, filter: JobFilter): Promise<JobsPageView> {
  const page = await listJobsPage(q, filter);
  const onlyPage = page.nextBeforeId == null && page.prevAfterId == null;
  // A single page is its own exact count; otherwise count (capped) what every page holds.
  const matching = onlyPage ? { value: page.jobs.length, capped: false } : await countMatchingCapped(q, filter);
  return {
    jobs: page.jobs.map(toView),
    nextBeforeId: page.nextBeforeId,
    prevAfterId: page.prevAfterId,
    matching,
    readAt: Date.now(),
  };
}
