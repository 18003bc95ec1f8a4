// GET /api/internal/jobs?<filter>: one page of the Jobs list as JSON, for the page's live refresh
// (react-query polls it). Same source, filter and cursors as the /jobs URL. Internal to the UI: the
// scripting API comes later under /api/v1. Read-only; nothing sensitive beyond what /jobs shows.
import type { JobsPageRateLimited } from "@/components/jobs/types";
import { AuthorizationError, authorize, type Caller, getCaller } from "@/lib/auth/caller";
import { jobFilterInputFromSearchParams, safeParseJobFilter } from "@/lib/filters/job-filter";
import { databaseLabel, describeDbError } from "@/lib/server/db";
import { spendExpensiveFilter } from "@/lib/server/expensive-filter-limit";
import { pageSource, unsupportedFilterIssues } from "@/lib/server/page-source";
import { SourceUnavailableError } from "@/lib/sources/types";
import { loadJobsPage, pageCursorFrom } from "@/app/jobs/_data/load-jobs-page";

export const dynamic = "force-dynamic";

const noStore = { "cache-control": "no-store" };

export async function GET(request: Request) {
  // Same rule as the page: anyone who may view jobs (the role check of issue 5 plugs in here).
  let caller: Caller;
  try {
    const c = await getCaller();
    authorize(c, "viewer");
    caller = c;
  } catch (err) {
    if (err instanceof AuthorizationError) return Response.json({ error: err.message }, { status: err.status, headers: noStore });
    throw err;
  }
  const url = new URL(request.url);
  const ps = await pageSource(url.searchParams.get("source") ?? undefined);
  if (!ps.ok) return Response.json({ error: ps.error.message, database: "the source list" }, { status: 400, headers: noStore });
  const parsed = safeParseJobFilter(jobFilterInputFromSearchParams(url.searchParams));
  if (!parsed.ok) {
    return Response.json({ error: parsed.error.message, issues: parsed.error.issues }, { status: 400, headers: noStore });
  }
  const unsupported = unsupportedFilterIssues(ps.info, parsed.filter);
  if (unsupported.length) return Response.json({ error: unsupported[0].message, issues: unsupported }, { status: 400, headers: noStore });
  const refusal = spendExpensiveFilter(caller, parsed.filter);
  if (refusal) {
    const body: JobsPageRateLimited = { error: refusal.message, code: "rate_limited", fields: refusal.fields, retryAfterSeconds: refusal.retryAfterSeconds };
    return Response.json(body, { status: 429, headers: { ...noStore, "retry-after": String(refusal.retryAfterSeconds) } });
  }
  try {
    const data = await loadJobsPage(ps.source, parsed.filter, pageCursorFrom((k) => url.searchParams.get(k) ?? undefined));
    return Response.json(data, { headers: noStore });
  } catch (err) {
    if (err instanceof SourceUnavailableError) {
      return Response.json({ error: err.detail, database: `source "${ps.source.name}" (${ps.info.location})` }, { status: 503, headers: noStore });
    }
    const reason = describeDbError(err);
    console.error(`[jobdeck] jobs list: ${reason}`);
    return Response.json({ error: reason, database: await databaseLabel() }, { status: 503, headers: noStore });
  }
}
