// Workers of another source (pg-boss 12.36+'s instance registry; graphile-worker's pools seen
// holding locks, status unknown): status as the library decides it, heartbeat, what each runs.
// The library's words about what it keeps are shown above the table by the page.
import type { ReactNode } from "react";
import type { SourceWorker } from "@/lib/sources/types";
import { formatCount, formatDuration } from "../format";
import { td, tdNum, th, thNum } from "../overview/panel";
import { jobHref, jobLabel } from "../sources/source-href";
import { StateBadge } from "../state-badge";
import { RelativeTime } from "../ui/relative-time";

/** `controls`: the library's own operations per worker id (Celery's remote control), when it has some. */
export function SourceWorkersTable({ workers, source, now, controls }: { workers: SourceWorker[]; source: string; now: number; controls?: Record<string, ReactNode> }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="workers-table">
        <caption className="sr-only">Workers of source {source}</caption>
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={th}>Worker</th>
            <th scope="col" className={th}>Status</th>
            <th scope="col" className={th}>Queues</th>
            <th scope="col" className={thNum}>Last heartbeat</th>
            <th scope="col" className={thNum}>Processed</th>
            <th scope="col" className={thNum}>Failed</th>
            <th scope="col" className={th}>Running now</th>
            {controls ? <th scope="col" className={th}>Remote control</th> : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {workers.map((w) => (
            <tr key={w.id} data-testid="worker-row" data-worker-id={w.id}>
              <th scope="row" className={`${td} text-left font-normal`}>
                <span className="font-mono text-xs">{w.id}</span>
                {w.hostname ? <span className="block text-[11px] text-muted">{w.hostname}{w.pid != null ? ` · pid ${w.pid}` : ""}{w.version ? ` · ${w.version}` : ""}</span> : null}
              </th>
              <td className={td}>
                <StateBadge state={w.status === "unknown" ? "idle" : w.status} label={w.status} />
              </td>
              <td className={`${td} font-mono text-xs`}>{w.queues.length ? w.queues.join(", ") : <span className="text-muted">—</span>}</td>
              <td className={tdNum}>{w.lastHeartbeatAt ? <RelativeTime date={w.lastHeartbeatAt} now={now} /> : <span className="text-muted">—</span>}</td>
              <td className={tdNum}>{w.processed == null ? <span className="text-muted">—</span> : formatCount(w.processed)}</td>
              <td className={tdNum}>{w.failed == null ? <span className="text-muted">—</span> : formatCount(w.failed)}</td>
              <td className={td}>
                {w.runningCount === 0 ? (
                  <span className="text-muted">idle</span>
                ) : (
                  <span className="flex flex-wrap gap-x-2">
                    <span className="tabular">{formatCount(w.runningCount)}:</span>
                    {w.running.slice(0, 8).map((r) => (
                      <a key={r.key} href={jobHref(r.key, source)} className={`font-mono text-xs underline ${r.leaseExpired ? "text-bad" : "text-accent"}`} title={`${r.kind}${r.runtimeSeconds != null ? ` · running ${formatDuration(r.runtimeSeconds)}` : ""}${r.leaseExpired ? " · lock expired" : ""}`}>
                        {jobLabel(r.key)}
                      </a>
                    ))}
                  </span>
                )}
              </td>
              {controls ? <td className={td}>{controls[w.id] ?? <span className="text-xs text-muted">{w.status === "online" ? "" : "offline: nothing would answer"}</span>}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
