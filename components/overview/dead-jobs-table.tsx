// The latest dead-lettered jobs with the first line of their error. Errors are user data:
// rendered as text, never as HTML.
import type { DeadJobSummary } from "@/lib/queries/summary";
import { formatAgo, formatCount } from "../format";
import { Empty, Panel, td, tdNum, th, thNum } from "./panel";

export function DeadJobsTable({ jobs, total }: { jobs: DeadJobSummary[]; total: string }) {
  return (
    <Panel id="dead" title="Latest dead jobs" note={`${total} dead in total · attempts exhausted or not retryable`}>
      {jobs.length === 0 ? (
        <Empty>No dead jobs. Nothing needs a retry.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full table-fixed text-sm">
            <thead className="border-b border-border">
              <tr>
                <th scope="col" className={`${th} w-20`}>Job</th>
                <th scope="col" className={`${th} w-40`}>Kind</th>
                <th scope="col" className={`${thNum} w-20`}>Attempts</th>
                <th scope="col" className={`${thNum} w-28`}>Died</th>
                <th scope="col" className={th}>Last error</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {jobs.map((j) => (
                <tr key={j.id} data-testid="dead-job-row">
                  <td className={`${td} tabular font-mono text-xs`}>#{j.id}</td>
                  <td className={td}>
                    <div className="truncate font-mono text-xs" title={j.kind}>{j.kind}</div>
                    <div className="truncate text-xs text-muted">{j.queue}</div>
                  </td>
                  <td className={tdNum}>{formatCount(j.attempts)}/{formatCount(j.maxAttempts)}</td>
                  <td className={`${tdNum} whitespace-nowrap`}>{formatAgo(j.finishedAgeSeconds)}</td>
                  <td className={`${td} truncate font-mono text-xs text-bad`} title={j.errorLine ?? undefined}>
                    {j.errorLine ?? "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
