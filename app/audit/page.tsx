// Audit: who did what to which jobs, newest first, keyset-paged, filtered by actor, action,
// outcome, time range and target job (all in the URL, shareable). Admins can download the
// filtered events as CSV or NDJSON. An invalid filter is shown next to its input; a database
// outage shows the banner and the page keeps retrying.
import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { AuditFilterBar, type AuditFilterIssue } from "@/components/audit/audit-filter-bar";
import { AuditTable } from "@/components/audit/audit-table";
import { AutoRefresh } from "@/components/auto-refresh";
import { DbUnavailable } from "@/components/db-unavailable";
import { formatCount, renderClock } from "@/components/format";
import { hasRole } from "@/lib/auth/caller";
import { requirePageRole } from "@/lib/auth/page-guard";
import { AUDIT_FILTER_LABELS, auditFilterInputFromSearchParams, safeParseAuditFilter } from "@/lib/filters/audit-filter";
import { type AuditPage, listAuditPage, recentAuditActions } from "@/lib/queries/audit";
import { databaseLabel, describeDbError, getDb } from "@/lib/server/db";

export const metadata: Metadata = { title: "Audit" };

const PAGING_FIELDS = new Set(["limit", "beforeId", "afterId"]);

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await requirePageRole();
  await connection();
  const raw = auditFilterInputFromSearchParams(await searchParams);
  const filterOnly = Object.fromEntries(Object.entries(raw).filter(([k]) => !PAGING_FIELDS.has(k)));
  const filterQuery = new URLSearchParams(filterOnly).toString();
  const parsed = safeParseAuditFilter(raw);
  const issues: AuditFilterIssue[] = parsed.ok ? [] : parsed.error.issues;
  const canExport = hasRole(caller, "admin");

  let page: AuditPage | null = null;
  let actions: string[] = [];
  let failure: string | null = null;
  try {
    const db = await getDb();
    [page, actions] = await Promise.all([parsed.ok ? listAuditPage(db, parsed.filter) : Promise.resolve(null), recentAuditActions(db)]);
  } catch (err) {
    failure = describeDbError(err);
    console.error(`[jobdeck] audit: ${failure}`);
  }
  const renderedAt = renderClock();

  const pageLink = (cursor: { beforeId?: number; afterId?: number }) => {
    const sp = new URLSearchParams(filterQuery);
    if (raw.limit) sp.set("limit", raw.limit);
    if (cursor.beforeId != null) sp.set("beforeId", String(cursor.beforeId));
    if (cursor.afterId != null) sp.set("afterId", String(cursor.afterId));
    const qs = sp.toString();
    return qs ? `/audit?${qs}` : "/audit";
  };
  const exportHref = (format: "csv" | "ndjson") => `/audit/export/${format}${filterQuery ? `?${filterQuery}` : ""}`;
  const multiPage = page != null && (page.nextBeforeId != null || page.prevAfterId != null);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">Audit</h1>
          <p className="text-xs text-muted">Every change made from the UI, the API and the CLI, newest first. Filters are in the address bar: copy the link to share this view.</p>
        </div>
        <AutoRefresh renderedAt={renderedAt} intervalMs={10_000} />
      </div>

      <AuditFilterBar key={new URLSearchParams(raw).toString()} values={raw} issues={issues} actions={actions} />

      {!parsed.ok ? (
        <div role="alert" className="rounded-md border border-bad bg-bad-bg px-4 py-3 text-bad" data-testid="invalid-filter">
          <p className="font-semibold">{issues.length === 1 ? "This filter is invalid" : `${issues.length} filters are invalid`}, so no events are listed</p>
          <ul className="mt-1 list-disc pl-5 text-sm">
            {issues.map((i, n) => (
              <li key={n} data-field={i.field}>
                <span className="font-semibold">{AUDIT_FILTER_LABELS[i.field] ?? (i.field || "Filter")}</span>
                {i.field ? <> (<span className="font-mono">{i.field}</span>)</> : null}: {i.message}
              </li>
            ))}
          </ul>
          <p className="mt-1 text-sm">Fix it in the filter bar above, or <Link href="/audit" className="underline">clear all filters</Link>.</p>
        </div>
      ) : page == null ? (
        <DbUnavailable database={await databaseLabel()} reason={failure ?? "unknown error"} />
      ) : (
        <>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-sm" data-testid="audit-summary">
              {page.events.length === 0 ? (
                "No events on this page"
              ) : (
                <>
                  Showing <span className="tabular font-semibold">{formatCount(page.events.length)}</span> event{page.events.length === 1 ? "" : "s"}
                  {filterQuery ? " matching these filters" : ""}, newest first
                </>
              )}
            </p>
            {canExport ? (
              <div className="flex items-center gap-2 text-sm" data-testid="audit-export">
                <span className="text-xs text-muted">Export {filterQuery ? "the filtered events" : "every event"}:</span>
                <a href={exportHref("csv")} download className="rounded border border-border bg-surface px-2.5 py-0.5 hover:bg-surface-2"><span aria-hidden="true">↓ </span>CSV</a>
                <a href={exportHref("ndjson")} download className="rounded border border-border bg-surface px-2.5 py-0.5 hover:bg-surface-2"><span aria-hidden="true">↓ </span>NDJSON</a>
              </div>
            ) : null}
          </div>

          {page.events.length === 0 ? (
            <div className="rounded-md border border-border bg-surface px-4 py-8 text-center" data-testid="audit-empty">
              {filterQuery ? (
                <>
                  <p className="font-medium">No audit events match these filters</p>
                  <p className="mt-1 text-sm text-muted">Try a wider time range, or part of the actor&apos;s name.</p>
                  <Link href="/audit" className="mt-3 inline-block text-accent underline">Clear filters</Link>
                </>
              ) : (
                <>
                  <p className="font-medium">Nothing audited yet</p>
                  <p className="mt-1 text-sm text-muted">Retries, cancels, priority changes, campaign actions, API tokens and sign-ins are recorded here as they happen.</p>
                </>
              )}
            </div>
          ) : (
            <AuditTable events={page.events} now={renderedAt} caption="Audit events, newest first" />
          )}

          {multiPage ? (
            <nav aria-label="Pages" className="flex items-center justify-between gap-2 text-sm">
              {page.prevAfterId != null ? (
                <Link href={pageLink({ afterId: page.prevAfterId })} className="rounded border border-border bg-surface px-3 py-1 hover:bg-surface-2" rel="prev">← Newer</Link>
              ) : (
                <span aria-disabled="true" className="rounded border border-border px-3 py-1 text-muted">← Newer</span>
              )}
              {page.prevAfterId != null ? <Link href={pageLink({})} className="text-muted underline hover:text-fg">Back to newest</Link> : null}
              {page.nextBeforeId != null ? (
                <Link href={pageLink({ beforeId: page.nextBeforeId })} className="rounded border border-border bg-surface px-3 py-1 hover:bg-surface-2" rel="next">Older →</Link>
              ) : (
                <span aria-disabled="true" className="rounded border border-border px-3 py-1 text-muted">Older →</span>
              )}
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
}
