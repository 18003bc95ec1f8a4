// Workers: who is online (heartbeat age), what each runs now, and offline workers that still
// hold jobs, with the action that recovers them. Refreshes live, with a pause toggle.
import type { Metadata } from "next";
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { DbUnavailable } from "@/components/db-unavailable";
import { formatCount, renderClock } from "@/components/format";
import { Empty, Panel } from "@/components/overview/panel";
import { StatCard } from "@/components/stat-card";
import { WorkersTable } from "@/components/workers/workers-table";
import { hasRole } from "@/lib/auth/caller";
import { requirePageRole } from "@/lib/auth/page-guard";
import { listWorkers, type WorkerRow, workersHoldingJobsOffline } from "@/lib/queries/workers";
import { queueConfig } from "@/lib/queue/config";
import { databaseLabel, describeDbError } from "@/lib/server/db";
import { getReadDb } from "@/lib/server/read-db";
import { pageSource } from "@/lib/server/page-source";
import { SourceNotices } from "@/components/sources/source-notices";
import { SourceWorkersSection } from "@/components/sources/source-pages";
import { UnknownSource } from "@/components/sources/unknown-source";

export const metadata: Metadata = { title: "Workers" };

export default async function WorkersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await requirePageRole();
  await connection();
  const ps = await pageSource((await searchParams).source);
  if (!ps.ok) return <UnknownSource message={ps.error.message} />;
  if (ps.source.kind !== "jobdeck") {
    return (
      <div className="flex flex-col gap-4">
        <div className="flex flex-wrap items-end justify-between gap-2">
          <div>
            <h1 className="text-lg font-semibold">Workers <span className="text-muted">· {ps.source.name} ({ps.info.library})</span></h1>
            <p className="text-xs text-muted">Status as {ps.info.library} itself decides it, where it keeps one.</p>
          </div>
          <AutoRefresh renderedAt={renderClock()} />
        </div>
        <SourceNotices info={ps.info} />
        <SourceWorkersSection source={ps.source} info={ps.info} now={renderClock()} />
      </div>
    );
  }
  let workers: WorkerRow[] | null = null;
  let failure: string | null = null;
  try {
    workers = await listWorkers(await getReadDb());
  } catch (err) {
    console.error(`[jobdeck] workers: ${describeDbError(err)}`);
    failure = describeDbError(err);
  }
  const renderedAt = renderClock();
  const offlineAfter = queueConfig().workerOfflineAfterSeconds;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">Workers</h1>
          <p className="text-xs text-muted">
            Online means a heartbeat within the last {formatCount(offlineAfter)} s (JOBDECK_WORKER_OFFLINE_AFTER_SECONDS).
            Workers that stopped more than 24 h ago are hidden unless they still hold jobs.
          </p>
        </div>
        <AutoRefresh renderedAt={renderedAt} />
      </div>
      {workers == null ? (
        <DbUnavailable database={await databaseLabel()} reason={failure ?? "unknown error"} />
      ) : (
        <Workers workers={workers} now={renderedAt} canRecover={hasRole(caller, "operator")} />
      )}
    </div>
  );
}

function Workers({ workers, now, canRecover }: { workers: WorkerRow[]; now: number; canRecover: boolean }) {
  const online = workers.filter((w) => w.status === "online");
  const offline = workers.filter((w) => w.status === "offline");
  const stopped = workers.filter((w) => w.status === "stopped");
  const holding = workersHoldingJobsOffline(workers);
  const heldJobs = holding.reduce((s, w) => s + w.running_count, 0);
  const running = online.reduce((s, w) => s + w.running_count, 0);
  const capacity = online.reduce((s, w) => s + w.concurrency, 0);
  return (
    <>
      <section aria-labelledby="worker-counts-title">
        <h2 id="worker-counts-title" className="sr-only">Workers by status</h2>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
          <StatCard id="online" title="Online" state="online" value={formatCount(online.length)}
            detail={`${formatCount(capacity)} slots · ${formatCount(running)} job${running === 1 ? "" : "s"} running`} />
          <StatCard id="offline" title="Offline" state="offline" value={formatCount(offline.length)} emphasis={offline.length > 0}
            detail="no heartbeat, not stopped" />
          <StatCard id="holding" title="Offline, holding jobs" state={holding.length ? "stale" : "online"} badgeLabel={holding.length ? "recover" : "none"}
            value={formatCount(holding.length)} emphasis={holding.length > 0}
            detail={`${formatCount(heldJobs)} running job${heldJobs === 1 ? "" : "s"} held`} />
          <StatCard id="stopped" title="Stopped" state="stopped" value={formatCount(stopped.length)} detail="said goodbye; last 24 h" />
        </div>
      </section>
      {holding.length > 0 ? (
        <p role="status" className="rounded-md border border-bad bg-bad-bg px-3 py-2 text-sm text-bad">
          {formatCount(holding.length)} offline worker{holding.length === 1 ? "" : "s"} still hold{holding.length === 1 ? "s" : ""}{" "}
          {formatCount(heldJobs)} running job{heldJobs === 1 ? "" : "s"}. Nobody works on them until their leases expire and a
          worker sweeps them, or {canRecover ? "you recover them with “Recover its jobs”" : "an operator recovers them"} — at once for
          expired leases; a live lease only by force, at the risk of running the job twice.
        </p>
      ) : null}
      <Panel id="workers" title="Workers" note={`${formatCount(workers.length)} shown`}>
        {workers.length === 0 ? (
          <Empty>
            No worker has registered yet. Start one with{" "}
            <code className="font-mono">npx jobdeck worker --handlers ./handlers.mjs</code>.
          </Empty>
        ) : (
          <WorkersTable workers={workers} now={now} />
        )}
      </Panel>
    </>
  );
}
