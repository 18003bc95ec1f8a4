// Every registered worker: status derived from heartbeat age, identity, queues, load and the
// jobs it runs now (with runtime), counters, uptime and version. Offline workers still holding
// running jobs are flagged, with the action that recovers them.
import Link from "next/link";
import type { WorkerRow } from "@/lib/queries/workers";
import { formatCount, formatDuration } from "../format";
import { td, tdNum, th, thNum } from "../overview/panel";
import { StateBadge } from "../state-badge";
import { RelativeTime } from "../ui/relative-time";
import { RecoverWorkerJobs } from "./recover-worker-jobs";

export function WorkersTable({ workers, now }: { workers: WorkerRow[]; now: number }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="workers-table">
        <caption className="sr-only">Workers, offline workers holding jobs first</caption>
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={th}>Status</th>
            <th scope="col" className={th}>Worker</th>
            <th scope="col" className={th}>Queues</th>
            <th scope="col" className={thNum}>Running</th>
            <th scope="col" className={th}>Jobs running now</th>
            <th scope="col" className={thNum}>Last heartbeat</th>
            <th scope="col" className={thNum}>Processed</th>
            <th scope="col" className={thNum}>Failed</th>
            <th scope="col" className={thNum}>Uptime</th>
            <th scope="col" className={th}>Version</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {workers.map((w) => {
            const flagged = !w.online && w.running_count > 0;
            return (
              <tr
                key={w.id}
                id={`worker-${w.id}`}
                data-testid="worker-row"
                data-worker-id={w.id}
                data-status={w.status}
                className={`scroll-mt-16 target:outline target:outline-2 target:outline-focus ${flagged ? "bg-bad-bg/50" : ""}`}
              >
                <td className={td}>
                  <StateBadge state={w.status} />
                  {flagged ? (
                    <div className="mt-1 flex flex-col items-start gap-1" data-testid="worker-flag">
                      <span className="text-xs font-semibold text-bad">▲ holds {formatCount(w.running_count)} job{w.running_count === 1 ? "" : "s"}</span>
                      <RecoverWorkerJobs workerId={w.id} count={w.running_count} />
                    </div>
                  ) : null}
                </td>
                <td className={`${td} max-w-[20rem]`}>
                  <div className="truncate font-mono text-xs" title={w.id}>{w.id}</div>
                  <div className="text-xs text-muted">{w.hostname} · pid {w.pid}</div>
                </td>
                <td className={`${td} font-mono text-xs`}>{w.queues.length ? w.queues.join(", ") : <span className="text-muted">(all)</span>}</td>
                <td className={`${tdNum} whitespace-nowrap`}>
                  {formatCount(w.running_count)}
                  <span className="text-muted">/{formatCount(w.concurrency)}</span>
                </td>
                <td className={`${td} min-w-[14rem]`}>
                  {w.running.length === 0 ? (
                    <span className="text-xs text-muted">idle</span>
                  ) : (
                    <ul className="flex flex-col gap-0.5">
                      {w.running.map((j) => (
                        <li key={j.id} className="flex items-baseline gap-2 text-xs">
                          <Link href={`/jobs/${j.id}`} className="tabular font-mono text-accent underline">#{j.id}</Link>
                          <span className="truncate font-mono" title={j.kind}>{j.kind}</span>
                          <span className="tabular ml-auto whitespace-nowrap text-muted" title="runtime so far">
                            {j.runtime_seconds == null ? "—" : formatDuration(j.runtime_seconds)}
                          </span>
                          {j.lease_expired ? <StateBadge state="stale" /> : null}
                        </li>
                      ))}
                      {w.running_count > w.running.length ? (
                        <li className="text-xs text-muted">and {formatCount(w.running_count - w.running.length)} more</li>
                      ) : null}
                    </ul>
                  )}
                </td>
                <td className={`${tdNum} whitespace-nowrap ${w.status === "offline" ? "font-semibold text-bad" : ""}`}>
                  <RelativeTime date={w.last_heartbeat_at} now={now} />
                </td>
                <td className={tdNum}>{formatCount(w.processed)}</td>
                <td className={`${tdNum} ${w.failed > 0 ? "text-warn" : ""}`}>{formatCount(w.failed)}</td>
                <td className={`${tdNum} whitespace-nowrap`} title={w.stopped_at ? "ran for, until it stopped" : "since it started"}>
                  {formatDuration(w.uptime_seconds)}
                </td>
                <td className={`${td} font-mono text-xs`}>{w.version}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
