"use client";
// The live part of the Jobs page: polls the current page of jobs with react-query (every few
// seconds; slower after a slow answer, and not before a 429's Retry-After: components/live-refresh),
// with a pause toggle and "updated Ns ago · every 5s", keeps the row selection, offers "select all
// N matching this filter", shows the bulk bar, keyset pagination links and the empty state. When
// a refresh fails (database down, too many expensive searches) it keeps the last rows on screen
// under a banner and recovers by itself. Selection and bulk actions need the operator role; a
// viewer gets the list alone.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useCan } from "../auth/caller-context";
import { DbUnavailable } from "../db-unavailable";
import { formatCount } from "../format";
import { refreshDelay, retryAfterMs } from "../live-refresh";
import { LiveStatus } from "../live-status";
import { withSource } from "../sources/source-href";
import { BulkActions, type BulkTarget, type UnsupportedActions } from "./bulk-actions";
import { jobsCount } from "./format-jobs";
import { JobsTable } from "./jobs-table";
import { RateLimitedNotice } from "./rate-limited";
import type { JobsPageFailure, JobsPageRateLimited, JobsPageView } from "./types";

const REFRESH_MS = 5_000;

class RefreshError extends Error {
  constructor(
    message: string,
    readonly database: string,
  ) {
    super(message);
  }
}

/** HTTP 429: too many list queries with expensive filters; wait `waitMs` before the next one. */
class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly fields: string[],
    readonly waitMs: number,
  ) {
    super(message);
  }
}

async function fetchJobsPage(query: string): Promise<JobsPageView> {
  let res: Response;
  try {
    res = await fetch(`/api/internal/jobs${query ? `?${query}` : ""}`, { cache: "no-store", headers: { accept: "application/json" } });
  } catch {
    throw new RefreshError("the Jobdeck server did not answer", "the Jobdeck server");
  }
  if (res.status === 401) {
    // The session ended while the list was open: go to sign-in and come back here afterwards.
    const back = `${window.location.pathname}${window.location.search}`;
    window.location.assign(`/signin?expired=1&callbackUrl=${encodeURIComponent(back)}`);
    throw new RefreshError("your session has ended", "the Jobdeck server");
  }
  if (res.status === 429) {
    const body = (await res.json().catch(() => null)) as Partial<JobsPageRateLimited> | null;
    const waitMs = retryAfterMs(res.headers.get("retry-after")) ?? (body?.retryAfterSeconds ?? 60) * 1000;
    throw new RateLimitedError(body?.error ?? "too many searches with expensive filters", body?.fields ?? [], waitMs);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as Partial<JobsPageFailure> | null;
    throw new RefreshError(body?.error ?? `HTTP ${res.status}`, body?.database ?? "the database");
  }
  return (await res.json()) as JobsPageView;
}

export function JobsView({
  initial,
  query,
  filterQuery,
  hasFilter,
  unsupported = {},
  readOnlyReason = null,
}: {
  initial: JobsPageView;
  /** Bulk actions this source cannot do, with why (not offered; the bar says why). */
  unsupported?: UnsupportedActions;
  /** Set when the source cannot change anything: no selection, one sentence instead. */
  readOnlyReason?: string | null;
  /** The page's URL query (filter + cursor): the react-query key and what the refresh fetches.
   *  The parent keys this component by the filter alone, so a selection survives paging. */
  query: string;
  /** The filter alone (no cursor, no page size): what "all matching" bulk actions go by. */
  filterQuery: string;
  hasFilter: boolean;
}) {
  const [paused, setPaused] = useState(false);
  const canBulk = useCan("operator") && readOnlyReason == null;
  const source = initial.source;
  // How long the last refresh took: the next one waits SLOW_FACTOR times as long (at least REFRESH_MS).
  const [lastDurationMs, setLastDurationMs] = useState<number | null>(null);
  const { data, error, dataUpdatedAt, isFetching } = useQuery({
    queryKey: ["jobs", "list", query],
    queryFn: async () => {
      const started = performance.now();
      try {
        return await fetchJobsPage(query);
      } finally {
        setLastDurationMs(performance.now() - started);
      }
    },
    initialData: initial,
    initialDataUpdatedAt: initial.readAt,
    refetchInterval: (q) => (paused ? false : refreshDelay(REFRESH_MS, lastDurationMs, q.state.error instanceof RateLimitedError ? q.state.error.waitMs : null)),
    retry: false,
  });
  const rateLimited = error instanceof RateLimitedError ? error : null;
  const delayMs = refreshDelay(REFRESH_MS, lastDurationMs, rateLimited?.waitMs ?? null);

  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [allMatching, setAllMatching] = useState(false);
  const lastClicked = useRef<string | null>(null);
  const jobs = data.jobs;
  const pageIds = useMemo(() => jobs.map((j) => j.key), [jobs]);
  const selectedOnPage = allMatching ? pageIds.length : pageIds.filter((id) => selected.has(id)).length;

  const clear = useCallback(() => {
    setSelected(new Set());
    setAllMatching(false);
    lastClicked.current = null;
  }, []);

  // Escape clears the selection (when no dialog is open: the dialog handles its own Escape).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector("dialog[open]") && (selected.size || allMatching)) clear();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [selected, allMatching, clear]);

  function toggle(id: string, checked: boolean, range: boolean) {
    // Leaving "all matching": keep the page's rows selected except the one just unticked.
    const base = allMatching ? new Set(pageIds) : new Set(selected);
    setAllMatching(false);
    let ids = [id];
    if (range && lastClicked.current != null) {
      const a = pageIds.indexOf(lastClicked.current);
      const b = pageIds.indexOf(id);
      if (a >= 0 && b >= 0) ids = pageIds.slice(Math.min(a, b), Math.max(a, b) + 1);
    }
    for (const x of ids) {
      if (checked) base.add(x);
      else base.delete(x);
    }
    lastClicked.current = id;
    setSelected(base);
  }

  function togglePage(checked: boolean) {
    setAllMatching(false);
    const base = new Set(selected);
    for (const id of pageIds) {
      if (checked) base.add(id);
      else base.delete(id);
    }
    setSelected(base);
  }

  const matching = data.matching;
  const matchingText = `${formatCount(matching.value)}${matching.capped ? "+" : ""}`;
  const multiPage = data.next != null || data.prev != null;
  const target: BulkTarget | null = allMatching ? { filter: filterQuery } : selected.size ? { keys: [...selected] } : null;
  const selectedLabel = allMatching
    ? `All ${matchingText} ${matching.value === 1 && !matching.capped ? "job" : "jobs"} matching this filter selected`
    : `${jobsCount(selected.size)} selected${selected.size > selectedOnPage ? ` (${formatCount(selected.size - selectedOnPage)} on other pages)` : ""}`;

  // The native source keeps its readable `beforeId`/`afterId` URLs; other sources' cursors are opaque.
  const pageLink = (cursor: { before?: string; after?: string }) => {
    const sp = new URLSearchParams(filterQuery);
    const limit = new URLSearchParams(query).get("limit");
    if (limit) sp.set("limit", limit);
    const native = source === "jobdeck";
    if (cursor.before != null) sp.set(native ? "beforeId" : "before", cursor.before);
    if (cursor.after != null) sp.set(native ? "afterId" : "after", cursor.after);
    return withSource(`/jobs?${sp.toString()}`, source);
  };

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm" data-testid="jobs-summary">
          <span className="tabular font-semibold" data-testid="matching-count">{matchingText}</span>{" "}
          {matching.value === 1 && !matching.capped ? "job matches" : "jobs match"}
          {hasFilter ? " these filters" : ""}
          {matching.capped ? <span className="text-muted" title="counting stops here; the bulk preview gives the exact number"> (at least)</span> : null}
          {jobs.length ? (
            <span className="text-muted"> · showing {formatCount(jobs.length)}, newest first</span>
          ) : null}
          {canBulk && jobs.length > 0 && !allMatching ? (
            <>
              {" · "}
              <button
                type="button"
                onClick={() => setAllMatching(true)}
                className="font-medium text-accent underline underline-offset-2 hover:opacity-80"
                data-testid="select-all-matching"
              >
                Select all {matchingText} matching this filter
              </button>
            </>
          ) : null}
        </p>
        <LiveStatus
          updatedAt={dataUpdatedAt}
          refreshing={isFetching}
          paused={paused}
          onToggle={() => setPaused((p) => !p)}
          baseMs={REFRESH_MS}
          delayMs={delayMs}
          lastDurationMs={lastDurationMs}
          rateLimited={rateLimited != null}
        />
      </div>

      {rateLimited ? (
        <RateLimitedNotice
          message={rateLimited.message}
          fields={rateLimited.fields}
          retryAfterSeconds={Math.ceil(rateLimited.waitMs / 1000)}
          rowsNote="The rows below are from the last successful refresh; the list refreshes by itself once the wait is over."
        />
      ) : error ? (
        <DbUnavailable
          database={error instanceof RefreshError ? error.database : "the database"}
          reason={`${error.message}. The rows below are from the last successful refresh.`}
        />
      ) : null}

      {jobs.length === 0 ? (
        <div className="rounded-md border border-border bg-surface px-4 py-8 text-center" data-testid="jobs-empty">
          {hasFilter ? (
            <>
              <p className="font-medium">No jobs match these filters</p>
              <p className="mt-1 text-sm text-muted">Try a wider time range or fewer states.</p>
              <Link href={withSource("/jobs", source)} className="mt-3 inline-block text-accent underline">Clear filters</Link>
            </>
          ) : (
            <>
              <p className="font-medium">No jobs yet</p>
              <p className="mt-1 text-sm text-muted">Jobs appear here as soon as a producer enqueues them.</p>
            </>
          )}
        </div>
      ) : (
        <JobsTable
          jobs={jobs}
          source={source}
          isSelected={(id) => allMatching || selected.has(id)}
          allOnPage={selectedOnPage === pageIds.length && pageIds.length > 0}
          someOnPage={selectedOnPage > 0}
          onToggle={toggle}
          onTogglePage={togglePage}
          renderedAt={initial.readAt}
          selectable={canBulk}
        />
      )}

      {multiPage ? (
        <nav aria-label="Pages" className="flex items-center justify-between gap-2 text-sm">
          {data.prev != null ? (
            <Link href={pageLink({ after: data.prev })} className="rounded border border-border bg-surface px-3 py-1 hover:bg-surface-2" rel="prev">
              ← Newer
            </Link>
          ) : (
            <span aria-disabled="true" className="rounded border border-border px-3 py-1 text-muted">← Newer</span>
          )}
          {data.prev != null ? (
            <Link href={pageLink({})} className="text-muted underline hover:text-fg">Back to newest</Link>
          ) : null}
          {data.next != null ? (
            <Link href={pageLink({ before: data.next })} className="rounded border border-border bg-surface px-3 py-1 hover:bg-surface-2" rel="next">
              Older →
            </Link>
          ) : (
            <span aria-disabled="true" className="rounded border border-border px-3 py-1 text-muted">Older →</span>
          )}
        </nav>
      ) : null}

      {readOnlyReason && jobs.length ? (
        <p className="text-xs text-muted" data-testid="read-only-note">No actions on this source: {readOnlyReason}</p>
      ) : null}

      {canBulk && target ? <BulkActions source={source} target={target} unsupported={unsupported} selectedLabel={selectedLabel} onClear={clear} onDone={clear} /> : null}
    </div>
  );
}
