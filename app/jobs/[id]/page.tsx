// Job detail: everything about one job and what is safe to do with it. A non-numeric or unknown
// id is a 404; a database outage shows the banner and the page keeps retrying.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { DbUnavailable } from "@/components/db-unavailable";
import { renderClock } from "@/components/format";
import { JobDetailView, isActive } from "@/components/job-detail/job-detail-view";
import { StateBadge } from "@/components/state-badge";
import { type AuditEventRow, listJobAudit } from "@/lib/queries/audit";
import { getJobDetail, type JobDetail, parseJobId } from "@/lib/queries/job-detail";
import { databaseLabel, describeDbError, getDb } from "@/lib/server/db";
import { redactionFor } from "@/lib/auth/caller";
import { requirePageRole } from "@/lib/auth/page-guard";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const id = parseJobId((await params).id);
  return { title: id == null ? "Job not found" : `Job #${id}` };
}

export default async function JobDetailPage({ params }: Props) {
  const caller = await requirePageRole();
  const id = parseJobId((await params).id);
  if (id == null) notFound();
  await connection();
  let detail: JobDetail | null = null;
  let audit: { events: AuditEventRow[]; total: number } | null = null;
  let failure: string | null = null;
  try {
    const db = await getDb();
    [detail, audit] = await Promise.all([getJobDetail(db, id), listJobAudit(db, id, 20)]);
  } catch (err) {
    console.error(`[jobdeck] job ${id}: ${describeDbError(err)}`);
    failure = describeDbError(err);
  }
  if (failure == null && detail == null) notFound();
  const renderedAt = renderClock();
  const live = failure != null || (detail != null && isActive(detail.job.state));

  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-xs text-muted">
        <Link href="/jobs" className="underline hover:text-fg">Jobs</Link> <span aria-hidden="true">/</span> #{id}
      </nav>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-lg font-semibold">
            Job #{id}
            {detail ? <StateBadge state={detail.is_stale ? "stale" : detail.job.state} /> : null}
            {detail?.is_stale ? <StateBadge state="running" /> : null}
          </h1>
          {detail ? (
            <p className="truncate text-xs text-muted">
              <span className="font-mono">{detail.job.kind}</span> on queue <span className="font-mono">{detail.job.queue}</span>
            </p>
          ) : null}
        </div>
        {live ? (
          <AutoRefresh renderedAt={renderedAt} intervalMs={3_000} />
        ) : (
          <p className="text-xs text-muted">Not refreshing: the job is {detail?.job.state}. Reload to check again.</p>
        )}
      </div>
      {detail ? <JobDetailView detail={detail} audit={audit} redaction={redactionFor(caller)} /> : <DbUnavailable database={await databaseLabel()} reason={failure ?? "unknown error"} />}
    </div>
  );
}
