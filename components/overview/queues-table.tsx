// Active work per queue: exact counts from the partial indexes.
import type { QueueSummary } from "@/lib/queries/summary";
import { formatCount, formatDuration } from "../format";
import { Empty, Panel, td, tdNum, th, thNum } from "./panel";

export function QueuesTable({ queues }: { queues: QueueSummary[] }) {
  return (
    <Panel id="queues" title="Queues" note="active jobs, exact">
      {queues.length === 0 ? (
        <Empty>No active jobs in any queue.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-border">
              <tr>
                <th scope="col" className={th}>Queue</th>
                <th scope="col" className={thNum}>Ready</th>
                <th scope="col" className={thNum}>Scheduled</th>
                <th scope="col" className={thNum}>Running</th>
                <th scope="col" className={thNum}>Retrying</th>
                <th scope="col" className={thNum}>Stale</th>
                <th scope="col" className={thNum}>Oldest ready</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {queues.map((q) => (
                <tr key={q.queue}>
                  <th scope="row" className={`${td} text-left font-mono font-medium`}>{q.queue}</th>
                  <td className={tdNum}>{formatCount(q.ready)}</td>
                  <td className={tdNum}>{formatCount(q.scheduled)}</td>
                  <td className={tdNum}>{formatCount(q.running)}</td>
                  <td className={`${tdNum} ${q.retrying ? "text-warn" : ""}`}>{formatCount(q.retrying)}</td>
                  <td className={`${tdNum} ${q.stale ? "font-semibold text-bad" : ""}`}>{formatCount(q.stale)}</td>
                  <td className={tdNum}>{q.oldestReadyAgeSeconds == null ? "—" : formatDuration(q.oldestReadyAgeSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
