// Job detail: everything about one job and what is safe to do with it, for any source
// (`?source=`; none = the native queue). An id that cannot be one of the source's jobs, or an
// unknown one, is a 404; a database or source outage shows the banner and the page keeps retrying.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { DbUnavailable } from "@/components/db-unavailable";
import { renderClock } from "@/components/format";
import { JobDetailView, isActive } from "@/components/job-detail/job-detail-view";
import { SourceJobDetailView } from "@/components/job-detail/source-job-detail-view";
import { jobLabel, withSource } from "@/components/sources/source-href";
import { TerminateTask } from "@/components/celery/terminate-task";
import { SourceNotices } from "@/components/sources/source-notices";
import { SourceUnavailable } from "@/components/sources/source-unavailable";
import { UnknownSource } from "@/components/sources/unknown-source";
import { StateBadge } from "@/components/state-badge";
import { redactionFor } from "@/lib/auth/caller";
import { requirePageRole } from "@/lib/auth/page-guard";
import { type AuditEventRow, listJobAudit, listSourceJobAudit } from "@/lib/queries/audit";
import { getJobDetail, type JobDetail, parseJobId } from "@/lib/queries/job-detail";
import { databaseLabel, describeDbError } from "@/lib/server/db";
import { getReadDb } from "@/lib/server/read-db";
import { pageSource } from "@/lib/server/page-source";
import { type SourceJobDetail, SourceUnavailableError } from "@/lib/sources/types";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The key from the path segment (Next may hand it over still percent-encoded). */
function keyOf(raw: string): string {
  try {
    return raw.includes("%") ? decodeURIComponent(raw) : raw;
  } catch {
    return raw;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Job ${jobLabel(keyOf((await params).id))}` };
}

export default async function JobDetailPage({ params, searchParams }: Props) {
  const caller = await requirePageRole();
  const ps = await pageSource((await searchParams).source);
  if (!ps.ok) return <UnknownSource message={ps.error.message} />;
  if (ps.source.kind !== "jobdeck") return <SourceJobPage caller={caller} ps={ps} rawKey={keyOf((await params).id)} />;
  const id = parseJobId((await params).id);
  if (id == null) notFound();
  await connection();
  let detail: JobDetail | null = null;
  let audit: { events: AuditEventRow[]; total: number } | null = null;
  let failure: string | null = null;
  try {
    const db = await getReadDb();
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

async function SourceJobPage({ caller, ps, rawKey }: { caller: Awaited<ReturnType<typeof requirePageRole>>; ps: Extract<Awaited<ReturnType<typeof pageSource>>, { ok: true }>; rawKey: string }) {
  const { source, info } = ps;
  const key = source.parseKey(rawKey);
  if (key == null) notFound();
  await connection();
  let detail: SourceJobDetail | null = null;
  let audit: { events: AuditEventRow[]; total: number } | null = null;
  let down: string | null = null;
  try {
    [detail, audit] = await Promise.all([source.getJob(key), getReadDb().then((db) => listSourceJobAudit(db, source.name, key, 20))]);
  } catch (err) {
    down = err instanceof SourceUnavailableError ? err.detail : describeDbError(err);
    console.error(`[jobdeck] job ${key} of ${source.name}: ${down}`);
  }
  if (down == null && detail == null) notFound();
  const label = jobLabel(key);
  const live = down != null || (detail != null && isActive(detail.job.state));
  // Celery's own operation for a running task (not one of the shared source actions).
  const terminate =
    detail && info.kind === "celery" && detail.job.nativeState === "STARTED" && !info.readOnly ? (
      <TerminateTask source={source.name} taskKey={key} label={label} worker={detail.job.worker} />
    ) : null;
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-xs text-muted">
        <Link href={withSource("/jobs", source.name)} className="underline hover:text-fg">Jobs · {source.name}</Link> <span aria-hidden="true">/</span> {label}
      </nav>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-lg font-semibold">
            Job {label}
            {detail ? <StateBadge state={detail.isStale ? "stale" : detail.job.state} /> : null}
          </h1>
          <p className="truncate text-xs text-muted">
            {detail ? <><span className="font-mono">{detail.job.kind}</span> on queue <span className="font-mono">{detail.job.queue || "—"}</span> · </> : null}
            source <span className="font-mono">{source.name}</span> ({info.library}{info.schemaVersion ? ` schema ${info.schemaVersion}` : ""})
          </p>
        </div>
        {live ? <AutoRefresh renderedAt={renderClock()} intervalMs={3_000} /> : <p className="text-xs text-muted">Not refreshing: the job is {detail?.job.state}. Reload to check again.</p>}
      </div>
      <SourceNotices info={info} />
      {detail ? (
        <SourceJobDetailView detail={detail} source={source.name} library={info.library} capabilities={info.capabilities} audit={audit} redaction={redactionFor(caller)} extraActions={terminate} />
      ) : (
        <SourceUnavailable source={source.name} location={info.location} reason={down ?? "unknown error"} />
      )}
    </div>
  );
}
