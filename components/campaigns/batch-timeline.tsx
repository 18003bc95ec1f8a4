// The campaign's batches as a timeline, newest first: the position range each covered (drawn on a
// strip from the first position to the end of the source), its state, when it started and how long
// it ran. Repair batches are marked and show the ranges they fill.
import Link from "next/link";
import type { CampaignAggregate } from "@/lib/queries/campaigns";
import { formatCount, formatDuration } from "../format";
import { StateBadge } from "../state-badge";
import { RelativeTime } from "../ui/relative-time";
import { td, tdNum, th, thNum } from "./parts";

type Batch = CampaignAggregate["batches"]["items"][number];

function durationSeconds(b: Batch, now: number): number | null {
  if (!b.started_at) return null;
  const end = b.finished_at ? new Date(b.finished_at).getTime() : now;
  return (end - new Date(b.started_at).getTime()) / 1000;
}

export function BatchTimeline({ batches, scaleEnd, now }: { batches: Batch[]; scaleEnd: number; now: number }) {
  const lo = Math.min(...batches.map((b) => b.position ?? 0), 0);
  const span = Math.max(1, scaleEnd - lo);
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="batch-timeline">
        <caption className="sr-only">Batches, newest first</caption>
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={th}>Batch job</th>
            <th scope="col" className={th}>Positions</th>
            <th scope="col" className={`${th} w-[28%]`}>
              <span aria-hidden="true">Range on source</span>
              <span className="sr-only">Range drawn on the source</span>
            </th>
            <th scope="col" className={th}>State</th>
            <th scope="col" className={th}>Started</th>
            <th scope="col" className={thNum}>Duration</th>
            <th scope="col" className={thNum}>Attempts</th>
          </tr>
        </thead>
        <tbody>
          {batches.map((b) => {
            const from = b.position ?? 0;
            const size = b.batch_size ?? 0;
            const to = size > 0 ? from + size - 1 : from;
            const left = Math.max(0, Math.min(100, (100 * (from - lo)) / span));
            const width = Math.max(0.8, Math.min(100 - left, (100 * (to - from + 1)) / span));
            const d = durationSeconds(b, now);
            const tone = b.state === "completed" ? "bg-ok" : b.state === "running" ? "bg-run" : b.state === "dead" || b.state === "failed" ? "bg-bad" : "bg-idle";
            return (
              <tr key={b.id} className="border-b border-border last:border-0" data-testid="batch-row" data-state={b.state} data-position={from}>
                <td className={`${td} whitespace-nowrap`}>
                  <Link href={`/jobs/${b.id}`} className="text-accent underline-offset-2 hover:underline">#{b.id}</Link>
                  {b.repair ? <span className="ml-1 rounded bg-warn-bg px-1 text-[11px] font-semibold text-warn">repair</span> : null}
                </td>
                <td className={`${td} tabular whitespace-nowrap`}>
                  {size > 0 ? `${formatCount(from)}–${formatCount(to)}` : formatCount(from)}
                </td>
                <td className={td} aria-hidden="true">
                  <div className="relative mt-1.5 h-2 w-full rounded bg-surface-2">
                    <div className={`absolute top-0 h-2 rounded ${tone}`} style={{ left: `${left}%`, width: `${width}%` }} />
                  </div>
                </td>
                <td className={td}>
                  <StateBadge state={b.state} />
                  {b.last_error && b.state !== "completed" ? (
                    <p className="mt-0.5 max-w-[28rem] truncate font-mono text-xs text-bad" title={b.last_error}>{b.last_error.split("\n")[0]}</p>
                  ) : null}
                </td>
                <td className={`${td} whitespace-nowrap`}><RelativeTime date={b.started_at} now={now} /></td>
                <td className={tdNum}>{d == null ? "—" : `${formatDuration(d)}${b.finished_at ? "" : " so far"}`}</td>
                <td className={tdNum}>{b.attempts}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
