// Workers with their derived status (heartbeat age), load and counters.
import type { WorkerSummary } from "@/lib/queries/summary";
import { StateBadge } from "../state-badge";
import { formatAgo, formatCount, formatDuration } from "../format";
import { Empty, Panel, td, tdNum, th, thNum } from "./panel";

export function WorkersTable({
  workers,
  offlineAfterSeconds,
  totals,
}: {
  workers: WorkerSummary[];
  offlineAfterSeconds: number;
  totals: { online: number; offline: number; stopped: number };
}) {
  return (
    <Panel
      id="workers"
      title="Workers"
      note={`${formatCount(totals.online)} online · ${formatCount(totals.offline)} offline · offline after ${offlineAfterSeconds}s without heartbeat`}
    >
      {workers.length === 0 ? (
        <Empty>No worker has registered yet. Start one with <code className="font-mono">npx jobdeck worker --handlers ./handlers.mjs</code>.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-border">
              <tr>
                <th scope="col" className={th}>Status</th>
                <th scope="col" className={th}>Worker</th>
                <th scope="col" className={th}>Queues</th>
                <th scope="col" className={thNum}>Running</th>
                <th scope="col" className={thNum}>Heartbeat</th>
                <th scope="col" className={thNum}>Processed</th>
                <th scope="col" className={thNum}>Failed</th>
                <th scope="col" className={thNum}>Uptime</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {workers.map((w) => (
                <tr key={w.id} className={w.status === "offline" && w.running > 0 ? "bg-bad-bg/40" : undefined}>
                  <td className={td}><StateBadge state={w.status} /></td>
                  <td className={`${td} max-w-[22rem]`}>
                    <div className="truncate font-mono text-xs" title={w.id}>{w.id}</div>
                    <div className="text-xs text-muted">{w.hostname} · pid {w.pid} · v{w.version}</div>
                  </td>
                  <td className={`${td} font-mono text-xs`}>{w.queues.length ? w.queues.join(", ") : "(all)"}</td>
                  <td className={tdNum}>
                    {formatCount(w.running)}/{formatCount(w.concurrency)}
                    {w.status !== "online" && w.running > 0 ? <div className="text-xs font-semibold text-bad">holding jobs</div> : null}
                  </td>
                  <td className={`${tdNum} whitespace-nowrap ${w.status === "offline" ? "text-bad" : ""}`}>{formatAgo(w.heartbeatAgeSeconds)}</td>
                  <td className={tdNum}>{formatCount(w.processed)}</td>
                  <td className={tdNum}>{formatCount(w.failed)}</td>
                  <td className={`${tdNum} whitespace-nowrap`}>{formatDuration(w.uptimeSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
