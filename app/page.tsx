// Overview: what is running, waiting, stuck or dead right now, what needs attention, and how the
// queues did over the last hour / day / week (?range=1h|24h|7d). Read fresh on every request.
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { OverviewCharts } from "@/components/charts/overview-charts";
import { DbUnavailable } from "@/components/db-unavailable";
import { formatCapped, formatCount, formatDuration, renderClock } from "@/components/format";
import { AttentionPanel } from "@/components/overview/attention-panel";
import { CampaignsTable } from "@/components/overview/campaigns-table";
import { DeadJobsTable } from "@/components/overview/dead-jobs-table";
import { KindsTable } from "@/components/overview/kinds-table";
import { QueuesTable } from "@/components/overview/queues-table";
import { RangePicker } from "@/components/overview/range-picker";
import { WorkersTable } from "@/components/overview/workers-table";
import { StatCard } from "@/components/stat-card";
import { getOverview, type Overview } from "@/lib/queries/overview";
import { parseOverviewRange } from "@/lib/queries/rollups";
import { pendingAgeWarnSeconds } from "@/lib/queries/summary";
import { databaseLabel, describeDbError } from "@/lib/server/db";
import { getReadDb } from "@/lib/server/read-db";
import { requirePageRole } from "@/lib/auth/page-guard";
import type { ReactNode } from "react";
import { SourceOverview } from "@/components/sources/source-overview";
import { SourceNotices } from "@/components/sources/source-notices";
import { SourceUnavailable } from "@/components/sources/source-unavailable";
import { UnknownSource } from "@/components/sources/unknown-source";
import type { OverviewRange, OverviewSeries } from "@/lib/queries/rollups";
import { pageSource } from "@/lib/server/page-source";
import { sourceSeries } from "@/lib/sources/overview";
import { type Source, type SourceInfo, type SourceSummary, SourceUnavailableError } from "@/lib/sources/types";

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole();
  await connection();
  const range = parseOverviewRange((await searchParams).range);
  const ps = await pageSource((await searchParams).source);
  if (!ps.ok) return <UnknownSource message={ps.error.message} />;
  if (ps.source.kind !== "jobdeck") return <SourceOverviewPage source={ps.source} info={ps.info} range={range} />;
  const database = await databaseLabel();
  let overview: Overview | null = null;
  let failure: string | null = null;
  try {
    overview = await getOverview({ q: await getReadDb(), range });
  } catch (err) {
    console.error(`[jobdeck] overview: ${describeDbError(err)}`);
    failure = describeDbError(err);
  }
  const renderedAt = renderClock();

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">Overview</h1>
          <p className="text-xs text-muted">
            <span className="font-mono">{database}</span>
            {overview?.summary.estimatedTotalJobs != null ? (
              <> · jobs table ≈ {formatCount(overview.summary.estimatedTotalJobs)} rows <span title="pg_class.reltuples">(planner estimate)</span></>
            ) : null}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <RangePicker range={range} />
          <AutoRefresh renderedAt={renderedAt} intervalMs={10_000} />
        </div>
      </div>

      {overview == null ? (
        <DbUnavailable database={database} reason={failure ?? "unknown error"} />
      ) : (
        <OverviewBody overview={overview} />
      )}
    </div>
  );
}

function OverviewBody({ overview }: { overview: Overview }) {
  const { summary, range } = overview;
  const c = summary.counts;
  const w = summary.workers;
  const warn = pendingAgeWarnSeconds();
  const oldestLate = c.oldestReadyAgeSeconds != null && c.oldestReadyAgeSeconds > warn;
  return (
    <>
      <section aria-labelledby="counts-title">
        <h2 id="counts-title" className="sr-only">Jobs by state</h2>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
          <StatCard id="pending" title="Pending" state="pending" value={formatCount(c.ready + c.scheduled)}
            detail={`${formatCount(c.ready)} ready · ${formatCount(c.scheduled)} scheduled`} />
          <StatCard id="running" title="Running" state="running" value={formatCount(c.running)}
            emphasis={c.runningOnOfflineWorkers > 0}
            detail={`${formatCount(c.runningOnOfflineWorkers)} on offline workers`} />
          <StatCard id="retrying" title="Retrying" state="failed" value={formatCount(c.retrying)}
            detail="failed, retry scheduled" />
          <StatCard id="dead" title="Dead" state="dead" value={formatCapped(c.dead)} emphasis={c.dead.value > 0}
            detail={c.dead.value > 0 ? "needs an operator" : "nothing dead-lettered"} />
          <StatCard id="cancelled" title="Cancelled" state="cancelled" value={formatCapped(c.cancelled)}
            detail="kept until retention" />
          <StatCard id="completed-1h" title="Completed · last hour" state="completed" badgeLabel="done" value={formatCount(c.completedLastHour)}
            detail={`${formatCount(c.failedLastHour)} failed attempts`} />
          <StatCard id="completed" title="Completed · 24 h" state="completed" badgeLabel="done" value={formatCount(c.completedLast24h)}
            detail="from the per-minute rollups" />
          <StatCard id="oldest" title="Oldest pending" state={oldestLate ? "stale" : "ready"} badgeLabel={oldestLate ? "late" : "ready"}
            value={c.oldestReadyAgeSeconds == null ? "—" : formatDuration(c.oldestReadyAgeSeconds)} emphasis={oldestLate}
            detail={c.oldestReadyQueue == null ? "nothing ready to run" : `waiting in ${c.oldestReadyQueue}; warns over ${Math.round(warn / 60)} min`} />
          <StatCard id="stale" title="Stale locks" state="stale" value={formatCount(c.stale)} emphasis={c.stale > 0}
            detail="running, lease expired" />
          <StatCard id="workers" title="Workers online" state={w.offline > 0 ? "offline" : w.online > 0 ? "online" : "stopped"}
            badgeLabel={w.offline > 0 ? `${formatCount(w.offline)} offline` : w.online > 0 ? "all online" : "none"}
            value={`${formatCount(w.online)}`}
            detail={`${formatCount(w.offline)} offline · ${formatCount(w.stopped)} stopped`} />
        </div>
      </section>

      <AttentionPanel items={overview.attention} />

      <OverviewCharts series={overview.series} />

      <KindsTable kinds={summary.kinds} rates={overview.rates} range={range} />

      <div className="grid gap-4 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
        <QueuesTable queues={summary.queues} />
        <WorkersTable workers={w.list} offlineAfterSeconds={w.offlineAfterSeconds} totals={w} />
      </div>
      <div className="grid gap-4 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
        <CampaignsTable campaigns={summary.campaigns} />
        <DeadJobsTable jobs={summary.recentDead} total={formatCapped(c.dead)} />
      </div>
    </>
  );
}

async function SourceOverviewPage({ source, info, range }: { source: Source; info: SourceInfo; range: OverviewRange }) {
  let data: { summary: SourceSummary; series: OverviewSeries } | null = null;
  let reason = "";
  try {
    const [summary, series] = await Promise.all([source.summary(), getReadDb().then((db) => sourceSeries(db, source, range))]);
    data = { summary, series };
  } catch (err) {
    reason = err instanceof SourceUnavailableError ? err.detail : describeDbError(err);
    console.error(`[jobdeck] overview of ${source.name}: ${reason}`);
  }
  const body: ReactNode = data ? (
    <SourceOverview info={info} summary={data.summary} series={data.series} range={range} />
  ) : (
    <SourceUnavailable source={source.name} location={info.location} reason={reason} />
  );
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">Overview <span className="text-muted">· {source.name}</span></h1>
          <p className="text-xs text-muted">
            {info.library}{info.schemaVersion ? ` schema ${info.schemaVersion}` : ""}{info.libraryVersion ? ` · acting with ${info.library} ${info.libraryVersion}` : ""} · <span className="font-mono">{info.location}</span>
            {info.readOnly ? <> · read-only: {info.readOnlyReason}</> : null}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <RangePicker range={range} source={source.name} />
          <AutoRefresh renderedAt={renderClock()} intervalMs={10_000} />
        </div>
      </div>
      <SourceNotices info={info} />
      {body}
    </div>
  );
}
