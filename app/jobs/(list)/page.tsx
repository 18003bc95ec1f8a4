// Jobs: every job matching the filter in the URL (shareable), newest first, keyset-paged, live.
// An invalid filter is shown next to its input, never as an error page.
import Link from "next/link";
import type { Metadata } from "next";
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { DbUnavailable } from "@/components/db-unavailable";
import { renderClock } from "@/components/format";
import { FilterBar, type FilterIssue } from "@/components/jobs/filter-bar";
import { FILTER_LABELS } from "@/components/jobs/filter-labels";
import { JobsView } from "@/components/jobs/jobs-view";
import { RateLimitedNotice } from "@/components/jobs/rate-limited";
import type { JobsPageView } from "@/components/jobs/types";
import { jobFilterInputFromSearchParams, safeParseJobFilter } from "@/lib/filters/job-filter";
import { CapabilityNote } from "@/components/sources/capability-note";
import { withSource } from "@/components/sources/source-href";
import { SourceNotices } from "@/components/sources/source-notices";
import { SourceUnavailable } from "@/components/sources/source-unavailable";
import { UnknownSource } from "@/components/sources/unknown-source";
import { QUERY_TIMEOUT_MESSAGE } from "@/db/outage";
import { databaseLabel, describeDbError } from "@/lib/server/db";
import { type ExpensiveFilterRefusal, spendExpensiveFilter } from "@/lib/server/expensive-filter-limit";
import { pageSource, readOnlyReason, unsupportedActions, unsupportedFilterIssues } from "@/lib/server/page-source";
import { SourceUnavailableError } from "@/lib/sources/types";
import { loadJobsPage, pageCursorFrom } from "../_data/load-jobs-page";
import { requirePageRole } from "@/lib/auth/page-guard";

export const metadata: Metadata = { title: "Jobs" };

const PAGING_FIELDS = new Set(["limit", "beforeId", "afterId"]);

export default async function JobsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await requirePageRole();
  await connection();
  const params = await searchParams;
  const ps = await pageSource(params.source);
  if (!ps.ok) return <UnknownSource message={ps.error.message} />;
  const { source, info } = ps;
  const raw = jobFilterInputFromSearchParams(params);
  const cursor = pageCursorFrom((k) => (Array.isArray(params[k]) ? params[k]?.[0] : (params[k] as string | undefined)));
  const sourceFields = { ...(source.kind === "jobdeck" ? {} : { source: source.name }), ...(cursor.before ? { before: cursor.before } : {}), ...(cursor.after ? { after: cursor.after } : {}) };
  const query = toQuery({ ...raw, ...sourceFields });
  const filterQuery = toQuery(Object.fromEntries(Object.entries(raw).filter(([k]) => !PAGING_FIELDS.has(k))));
  const parsed = safeParseJobFilter(raw);
  const issues: FilterIssue[] = parsed.ok ? unsupportedFilterIssues(info, parsed.filter) : parsed.error.issues;
  const valid = parsed.ok && issues.length === 0;

  let data: JobsPageView | null = null;
  let failure: string | null = null;
  let sourceDown: string | null = null;
  const refusal: ExpensiveFilterRefusal | null = valid ? spendExpensiveFilter(caller, parsed.filter) : null;
  if (valid && !refusal) {
    try {
      data = await loadJobsPage(source, parsed.filter, cursor);
    } catch (err) {
      if (err instanceof SourceUnavailableError) sourceDown = err.detail;
      else failure = describeDbError(err);
      console.error(`[jobdeck] jobs (${source.name}): ${sourceDown ?? failure}`);
    }
  }

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">
            Jobs{source.kind === "jobdeck" ? null : <span className="text-muted"> · {source.name} ({info.library})</span>}
          </h1>
          <p className="text-xs text-muted">Newest first. Every filter is in the address bar: copy the link to share this view.</p>
        </div>
        {/* Re-running a read that hit the statement timeout would only load the database again. */}
        {(failure && failure !== QUERY_TIMEOUT_MESSAGE) || sourceDown ? <AutoRefresh renderedAt={renderClock()} /> : null}
        {refusal ? <AutoRefresh renderedAt={renderClock()} intervalMs={refusal.retryAfterSeconds * 1000} /> : null}
      </div>

      <SourceNotices info={info} />
      <FilterBar key={`filter:${query}`} values={raw} issues={issues} source={source.name} unsupported={info.unsupportedFilters} />
      <CapabilityNote capability={info.capabilities.history} source={source.name} testId="history-capability" />

      {!valid ? (
        <InvalidFilter issues={issues} source={source.name} />
      ) : refusal ? (
        <RateLimitedNotice message={refusal.message} fields={refusal.fields} retryAfterSeconds={refusal.retryAfterSeconds} />
      ) : sourceDown != null ? (
        <SourceUnavailable source={source.name} location={info.location} reason={sourceDown} />
      ) : data == null ? (
        <DbUnavailable database={await databaseLabel()} reason={failure ?? "unknown error"} />
      ) : (
        <JobsView
          key={`list:${source.name}:${filterQuery}`}
          initial={data}
          query={query}
          filterQuery={filterQuery}
          hasFilter={filterQuery !== ""}
          unsupported={unsupportedActions(info)}
          readOnlyReason={readOnlyReason(info)}
        />
      )}
    </div>
  );
}

function toQuery(fields: Record<string, string | string[]>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of ([] as string[]).concat(v)) sp.append(k, x);
  return sp.toString();
}

function InvalidFilter({ issues, source }: { issues: FilterIssue[]; source: string }) {
  return (
    <div role="alert" className="rounded-md border border-bad bg-bad-bg px-4 py-3 text-bad" data-testid="invalid-filter">
      <p className="font-semibold">
        {issues.length === 1 ? "This filter is invalid" : `${issues.length} filters are invalid`}, so no jobs are listed
      </p>
      <ul className="mt-1 list-disc pl-5 text-sm">
        {issues.map((i, n) => (
          <li key={n} data-field={i.field}>
            <span className="font-semibold">{FILTER_LABELS[i.field] ?? (i.field || "Filter")}</span>
            {i.field ? <> (<span className="font-mono">{i.field}</span>)</> : null}: {i.message}
          </li>
        ))}
      </ul>
      <p className="mt-1 text-sm">Fix it in the filter bar above, or <Link href={withSource("/jobs", source)} className="underline">clear all filters</Link>.</p>
    </div>
  );
}
