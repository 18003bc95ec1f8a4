// The attempt history, oldest first: attempt number, worker, when it started, how long it ran,
// its outcome, and the first line of its error (expandable to the full text). Errors are user
// data and render as text only.
import type { AttemptRow } from "@/lib/queries/job-detail";
import { formatCount, formatDuration } from "../format";
import { StateBadge } from "../state-badge";
import { RelativeTime } from "../ui/relative-time";

const OUTCOME_STATE: Record<string, string> = {
  completed: "completed",
  failed: "failed",
  dead: "dead",
  cancelled: "cancelled",
  lost: "stale",
};

function outcomeBadge(outcome: string | null) {
  if (outcome == null) return <StateBadge state="running" />;
  if (outcome === "failed") return <StateBadge state="failed" label="failed" />;
  if (outcome === "lost") return <StateBadge state="stale" label="lost" />;
  return <StateBadge state={OUTCOME_STATE[outcome] ?? outcome} label={outcome} />;
}

export function AttemptsTimeline({ attempts, total }: { attempts: AttemptRow[]; total: number }) {
  if (attempts.length === 0) {
    return <p className="px-3 py-4 text-sm text-muted">No attempts yet: no worker has claimed this job.</p>;
  }
  return (
    <>
      {total > attempts.length ? (
        <p className="px-3 pt-2 text-xs text-muted">
          Showing the latest {formatCount(attempts.length)} of {formatCount(total)} attempts.
        </p>
      ) : null}
      <ol className="flex flex-col" data-testid="attempts">
        {attempts.map((a, i) => {
          const [firstLine, ...rest] = (a.error ?? "").split("\n");
          return (
            <li key={a.id} data-testid="attempt" className="relative border-b border-border px-3 py-2 last:border-b-0">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
                <span className="tabular whitespace-nowrap font-semibold">
                  Run {formatCount(total - attempts.length + i + 1)}
                  <span className="font-normal text-muted"> · attempt {formatCount(a.attempt)}</span>
                </span>
                {outcomeBadge(a.outcome)}
                <span className="min-w-0 truncate font-mono text-xs" title={a.worker_id}>
                  <span className="sr-only">worker </span>
                  {a.worker_id}
                </span>
                <span className="text-xs text-muted">
                  started <RelativeTime date={a.started_at} />
                </span>
                <span className="tabular text-xs text-muted">
                  {a.finished_at ? "ran" : "running for"} {a.duration_seconds < 1 ? `${Math.round(a.duration_seconds * 1000)} ms` : formatDuration(a.duration_seconds)}
                </span>
              </div>
              {a.error ? (
                rest.length ? (
                  <details className="mt-1">
                    <summary className="cursor-pointer break-words font-mono text-xs text-bad">{firstLine}</summary>
                    <pre className="mt-1 max-h-72 overflow-auto whitespace-pre-wrap break-words rounded border border-border bg-bg px-2 py-1 font-mono text-xs">
                      {a.error}
                    </pre>
                  </details>
                ) : (
                  <p className="mt-1 break-words font-mono text-xs text-bad">{firstLine}</p>
                )
              ) : null}
            </li>
          );
        })}
      </ol>
    </>
  );
}
