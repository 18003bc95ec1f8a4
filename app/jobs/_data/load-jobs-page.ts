// Reads one page of the Jobs list for the server page and for the live-refresh route handler:
// the rows (lib/queries/jobs listJobsPage, keyset cursors) plus a capped count of everything the
// filter matches (for "select all N matching"). Server-only.
import "server-only";
import type { Sql } from "@/db/client";
import type { JobFilter } from "@/lib/filters/job-filter";
import { countJobsCapped, type JobPageRow, listJobsPage } from "@/lib/queries/jobs";
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

export async function loadJobsPage(q: Sql, filter: JobFilter): Promise<JobsPageView> {
  const page = await listJobsPage(q, filter);
  const onlyPage = page.nextBeforeId == null && page.prevAfterId == null;
  // A single page is its own exact count; otherwise count (capped) what every page holds.
  const matching = onlyPage ? { value: page.jobs.length, capped: false } : await countJobsCapped(q, filter, MATCHING_COUNT_CAP);
  return {
    jobs: page.jobs.map(toView),
    nextBeforeId: page.nextBeforeId,
    prevAfterId: page.prevAfterId,
    matching,
    readAt: Date.now(),
  };
}
