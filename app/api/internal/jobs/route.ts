// GET /api/internal/jobs?<filter>: one page of the Jobs list as JSON, for the page's live refresh
// (react-query polls it). Same filter and cursors as the /jobs URL. Internal to the UI: the
// scripting API comes later under /api/v1. Read-only; nothing sensitive beyond what /jobs shows.
import { loadJobsPage } from "@/app/jobs/_data/load-jobs-page";
import { AuthorizationError, authorize, getCaller } from "@/lib/auth/caller";
import { jobFilterInputFromSearchParams, safeParseJobFilter } from "@/lib/filters/job-filter";
import { databaseLabel, describeDbError, getDb } from "@/lib/server/db";

export const dynamic = "force-dynamic";

const noStore = { "cache-control": "no-store" };

export async function GET(request: Request) {
  // Same rule as the page: anyone who may view jobs (the role check of issue 5 plugs in here).
  try {
    authorize(await getCaller(), "viewer");
  } catch (err) {
    if (err instanceof AuthorizationError) return Response.json({ error: err.message }, { status: err.status, headers: noStore });
    throw err;
  }
  const url = new URL(request.url);
  const parsed = safeParseJobFilter(jobFilterInputFromSearchParams(url.searchParams));
  if (!parsed.ok) {
    return Response.json({ error: parsed.error.message, issues: parsed.error.issues }, { status: 400, headers: noStore });
  }
  try {
    const data = await loadJobsPage(await getDb(), parsed.filter);
    return Response.json(data, { headers: noStore });
  } catch (err) {
    const reason = describeDbError(err);
    console.error(`[jobdeck] jobs list: ${reason}`);
    return Response.json({ error: reason, database: await databaseLabel() }, { status: 503, headers: noStore });
  }
}
