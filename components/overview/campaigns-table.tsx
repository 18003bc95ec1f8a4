// Campaigns with where they will resume (next_start_position) and how far they got.
import type { CampaignSummary } from "@/lib/queries/summary";
import { StateBadge } from "../state-badge";
import { formatAgo, formatCount } from "../format";
import { Empty, Panel, td, tdNum, th, thNum } from "./panel";

export function CampaignsTable({ campaigns }: { campaigns: CampaignSummary[] }) {
  return (
    <Panel id="campaigns" title="Campaigns" note="bulk runs over an ordered source, in batches">
      {campaigns.length === 0 ? (
        <Empty>No campaigns yet. Create one with <code className="font-mono">npx jobdeck campaign create</code>.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-border">
              <tr>
                <th scope="col" className={th}>Campaign</th>
                <th scope="col" className={th}>State</th>
                <th scope="col" className={th}>Next start position</th>
                <th scope="col" className={thNum}>Updated</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {campaigns.map((c) => {
                const pct = c.totalItems ? Math.min(100, (c.nextStartPosition / c.totalItems) * 100) : null;
                return (
                  <tr key={c.id}>
                    <td className={`${td} max-w-[26rem]`}>
                      <div className="truncate font-medium" title={c.name}>{c.name}</div>
                      <div className="text-xs text-muted">
                        #{c.id} · <span className="font-mono">{c.kind}</span> on <span className="font-mono">{c.queue}</span> · batches of {formatCount(c.batchSize)}
                      </div>
                    </td>
                    <td className={td}><StateBadge state={c.state} /></td>
                    <td className={`${td} min-w-[12rem]`}>
                      <div className="tabular">
                        {formatCount(c.nextStartPosition)}
                        {c.totalItems != null ? <span className="text-muted"> of {formatCount(c.totalItems)}</span> : <span className="text-muted"> (size unknown)</span>}
                      </div>
                      {pct == null ? null : (
                        <div className="mt-1 flex items-center gap-2">
                          <div
                            role="progressbar"
                            aria-label={`${c.name} progress`}
                            aria-valuemin={0}
                            aria-valuemax={100}
                            aria-valuenow={Math.round(pct)}
                            className="h-1.5 w-28 overflow-hidden rounded bg-surface-2"
                          >
                            <div className="h-full bg-accent" style={{ width: `${pct}%` }} />
                          </div>
                          <span className="tabular text-xs text-muted">{pct.toFixed(0)}%</span>
                        </div>
                      )}
                    </td>
                    <td className={`${tdNum} whitespace-nowrap`}>{formatAgo(c.updatedAgeSeconds)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
