// Overview: what is running, waiting, stuck or dead right now, read fresh on every request.
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { DbUnavailable } from "@/components/db-unavailable";
import { formatCapped, formatCount, renderClock } from "@/components/format";
import { CampaignsTable } from "@/components/overview/campaigns-table";
import { DeadJobsTable } from "@/components/overview/dead-jobs-table";
import { QueuesTable } from "@/components/overview/queues-table";
import { WorkersTable } from "@/components/overview/workers-table";
import { StatCard } from "@/components/stat-card";
import { getOverviewSummary, type OverviewSummary } from "@/lib/queries/summary";
import { databaseLabel, describeDbError, getDb } from "@/lib/server/db";

export default async function OverviewPage() {
  await connection();
  const database = await databaseLabel();
  let summary: OverviewSummary | null = null;
  let failure: string | null = null;
  try {
    summary = await getOverviewSummary({ q: await getDb() });
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
            {summary?.estimatedTotalJobs != null ? (
              <> · jobs table ≈ {formatCount(summary.estimatedTotalJobs)} rows <span title="pg_class.reltuples">(planner estimate)</span></> 
            ) : null}
          </p>
        </div>
        <AutoRefresh renderedAt={renderedAt} />
      </div>

      {summary == null ? (
        <DbUnavailable database={database} reason={failure ?? "unknown error"} />
      ) : (
        <Overview summary={summary} />
      )}
    </div>
  );
}

function Overview({ summary }: { summary: OverviewSummary }) {
  const c = summary.counts;
  const w = summary.workers;
  return (
    <>
      <section aria-labelledby="counts-title">
        <h2 id="counts-title" className="sr-only">Jobs by state</h2>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-4 xl:grid-cols-8">
          <StatCard id="pending" title="Pending" state="pending" value={formatCount(c.ready + c.scheduled)}
            detail={`${formatCount(c.ready)} ready · ${formatCount(c.scheduled)} scheduled`} />
          <StatCard id="running" title="Running" state="running" value={formatCount(c.running)}
            detail={`${formatCount(c.runningOnOfflineWorkers)} on offline workers`} />
          <StatCard id="stale" title="Stale locks" state="stale" value={formatCount(c.stale)} emphasis={c.stale > 0}
            detail="running, lease expired" />
          <StatCard id="retrying" title="Retrying" state="failed" value={formatCount(c.retrying)}
            detail="failed, retry scheduled" />
          <StatCard id="dead" title="Dead" state="dead" value={formatCapped(c.dead)} emphasis={c.dead.value > 0}
            detail="needs an operator" />
          <StatCard id="completed" title="Completed · 24 h" state="completed" badgeLabel="done" value={formatCapped(c.completedLast24h)}
            detail={`${formatCapped(c.completedLast5m)} in the last 5 min`} />
          <StatCard id="cancelled" title="Cancelled" state="cancelled" value={formatCapped(c.cancelled)}
            detail="all time" />
          <StatCard id="workers" title="Workers online" state={w.offline > 0 ? "offline" : w.online > 0 ? "online" : "stopped"}
            badgeLabel={w.offline > 0 ? `${formatCount(w.offline)} offline` : w.online > 0 ? "all online" : "none"}
            value={`${formatCount(w.online)}`}
            detail={`${formatCount(w.offline)} offline · ${formatCount(w.stopped)} stopped`} />
        </div>
      </section>

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
