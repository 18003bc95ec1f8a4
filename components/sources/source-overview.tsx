// The overview of another source (server component): counts by Jobdeck state (each linking to
// the filtered list), the oldest waiting job, the last hour where the library can tell, workers
// and stale locks where it keeps them, its queues, and the depth chart from Jobdeck's sampler —
// with the library's own sentence wherever it keeps less than Jobdeck does.
import Link from "next/link";
import type { OverviewRange } from "@/lib/queries/rollups";
import type { SourceInfo, SourceSummary } from "@/lib/sources/types";
import type { OverviewSeries } from "@/lib/queries/rollups";
import { OverviewCharts } from "../charts/overview-charts";
import { formatCapped, formatCount, formatDuration } from "../format";
import { Empty, Panel, td, tdNum, th, thNum } from "../overview/panel";
import { StatCard } from "../stat-card";
import { CapabilityNote } from "./capability-note";
import { withSource } from "./source-href";

const STATES = [
  { state: "pending", title: "Pending" },
  { state: "running", title: "Running" },
  { state: "failed", title: "Retrying" },
  { state: "dead", title: "Dead" },
  { state: "cancelled", title: "Cancelled" },
  { state: "completed", title: "Completed" },
] as const;

export function SourceOverview({ info, summary, series, range }: { info: SourceInfo; summary: SourceSummary; series: OverviewSeries; range: OverviewRange }) {
  const s = summary;
  const charts = info.capabilities.charts;
  return (
    <>
      <section aria-labelledby="counts-title">
        <h2 id="counts-title" className="sr-only">Jobs by state</h2>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6">
          {STATES.map(({ state, title }) => {
            const c = s.counts[state];
            return (
              <StatCard
                key={state}
                id={state}
                title={title}
                state={state}
                value={c ? formatCapped(c) : "n/a"}
                emphasis={state === "dead" && (c?.value ?? 0) > 0}
                detail={
                  c ? (
                    <Link href={withSource(`/jobs?state=${state}`, info.name)} className="underline-offset-2 hover:underline">
                      {c.capped ? "at least; list them" : "list them"}
                    </Link>
                  ) : (
                    `${info.library} keeps none`
                  )
                }
              />
            );
          })}
        </div>
      </section>
      <section aria-labelledby="health-title">
        <h2 id="health-title" className="sr-only">Health</h2>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
          <StatCard id="oldest" title="Oldest pending" state="ready" badgeLabel="waiting"
            value={s.oldestPendingAgeSeconds == null ? "—" : formatDuration(s.oldestPendingAgeSeconds)} detail="past its run time" />
          <StatCard id="last-hour" title="Last hour" state="completed" badgeLabel="done"
            value={s.completedLastHour == null ? "n/a" : formatCount(s.completedLastHour)}
            detail={s.failedLastHour == null ? `${info.library} does not record failures per hour` : `${formatCount(s.failedLastHour)} failed`} />
          <StatCard id="stale" title="Stale locks" state="stale" value={s.stale == null ? "n/a" : formatCount(s.stale)} emphasis={(s.stale ?? 0) > 0}
            detail={<Link href={withSource("/stale", info.name)} className="underline-offset-2 hover:underline">running, lock expired</Link>} />
          <StatCard id="workers" title="Workers online" state={s.workers ? (s.workers.offline ? "offline" : "online") : "stopped"}
            badgeLabel={s.workers ? `${formatCount(s.workers.offline)} offline` : "not kept"}
            value={s.workers ? formatCount(s.workers.online) : "n/a"}
            detail={s.workers ? <Link href={withSource("/workers", info.name)} className="underline-offset-2 hover:underline">see workers</Link> : "no heartbeats in this library"} />
        </div>
      </section>
      <CapabilityNote capability={info.capabilities.history} source={info.name} testId="history-capability" />
      <OverviewCharts series={series} depthOnly={charts.supported ? undefined : { reason: charts.reason }} sampler="Jobdeck's source sampler (in the app server)" />
      <Panel id="queues" title="Queues" note={`${formatCount(s.queues.length)} · range ${range}`}>
        {s.queues.length === 0 ? (
          <Empty>No queue has jobs waiting or running.</Empty>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="source-queues">
              <thead className="border-b border-border">
                <tr>
                  <th scope="col" className={th}>Queue</th>
                  <th scope="col" className={thNum}>Pending</th>
                  <th scope="col" className={thNum}>Running</th>
                  <th scope="col" className={thNum}>Retrying</th>
                  <th scope="col" className={thNum}>Oldest pending</th>
                  <th scope="col" className={th}>Notes</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {s.queues.map((q) => (
                  <tr key={q.queue}>
                    <th scope="row" className={`${td} text-left font-mono text-xs font-normal`}>
                      <Link href={withSource(`/jobs?queue=${encodeURIComponent(q.queue)}`, info.name)} className="text-accent underline-offset-2 hover:underline">{q.queue || "(no queue)"}</Link>
                    </th>
                    <td className={tdNum}>{formatCount(q.pending)}</td>
                    <td className={tdNum}>{formatCount(q.running)}</td>
                    <td className={tdNum}>{formatCount(q.failed)}</td>
                    <td className={tdNum}>{q.oldestPendingAgeSeconds == null ? "—" : formatDuration(q.oldestPendingAgeSeconds)}</td>
                    <td className={`${td} text-xs text-muted`}>{q.note ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      <Panel id="states" title={`How ${info.library} states map to Jobdeck's`}>
        <ul className="grid gap-x-6 gap-y-1 px-3 py-2 text-sm sm:grid-cols-2" data-testid="state-map">
          {info.stateMap.map((m) => (
            <li key={m.native}>
              <span className="font-mono">{m.native}</span> → <span className="font-semibold">{m.state === "failed" ? "retrying (failed)" : m.state}</span>
              {m.note ? <span className="text-xs text-muted"> — {m.note}</span> : null}
            </li>
          ))}
        </ul>
      </Panel>
    </>
  );
}
