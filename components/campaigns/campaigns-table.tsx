// The campaigns list: one dense row per campaign — name, kind, state, progress (items done /
// known total), children by state, started, last activity, next_start_position.
import Link from "next/link";
import type { CampaignListRow } from "@/lib/queries/campaigns";
import { formatCount } from "../format";
import { StateBadge } from "../state-badge";
import { RelativeTime } from "../ui/relative-time";
import { ChildrenByState, ProgressBar, td, tdNum, th, thNum } from "./parts";

export function CampaignsTable({ rows, now }: { rows: CampaignListRow[]; now: number }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="campaigns-table">
        <caption className="sr-only">Campaigns, newest first</caption>
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className={th}>Campaign</th>
            <th scope="col" className={th}>State</th>
            <th scope="col" className={th}>Progress</th>
            <th scope="col" className={th}>Item jobs by state</th>
            <th scope="col" className={th}>Started</th>
            <th scope="col" className={th}>Last activity</th>
            <th scope="col" className={thNum}>Next start</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} className="border-b border-border last:border-0 hover:bg-surface-2" data-testid="campaign-row" data-campaign-id={c.id}>
              <td className={td}>
                <Link href={`/campaigns/${c.id}`} className="font-medium text-accent underline-offset-2 hover:underline">
                  {c.name}
                </Link>
                <div className="text-xs text-muted">
                  #{c.id} · <span className="font-mono">{c.kind}</span> · batch {formatCount(c.batch_size)}
                </div>
              </td>
              <td className={td}>
                <StateBadge state={c.state} />
                {c.open_batches > 0 && c.state === "running" ? (
                  <div className="mt-0.5 text-xs text-muted">{formatCount(c.open_batches)} batch{c.open_batches === 1 ? "" : "es"} open</div>
                ) : c.state === "running" ? (
                  <div className="mt-0.5 text-xs text-warn">no batch open</div>
                ) : null}
              </td>
              <td className={td}>
                <ProgressBar done={c.items_done} total={c.total_items} label={`Items done in ${c.name}`} />
              </td>
              <td className={td}>
                <ChildrenByState by={c.children_by_state} campaignId={c.id} />
              </td>
              <td className={`${td} whitespace-nowrap`}>
                <RelativeTime date={c.started_at ?? null} now={now} />
              </td>
              <td className={`${td} whitespace-nowrap`}>
                <RelativeTime date={c.last_activity_at} now={now} />
              </td>
              <td className={tdNum} data-testid="campaign-next-start">{formatCount(c.next_start_position)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
