// One campaign's aggregate: headline numbers (position, progress, duplicates, gaps), the batch
// timeline, item jobs by state, duplicates with their job ids, gap ranges, and failed item jobs
// with their errors. Server-rendered; the actions are the one client part.
import Link from "next/link";
import type { CampaignAggregate } from "@/lib/queries/campaigns";
import { formatCount } from "../format";
import { StatCard } from "../stat-card";
import { StateBadge } from "../state-badge";
import { BatchTimeline } from "./batch-timeline";
import { ChildrenByState, ProgressBar, rangeText, Section, td, tdNum, th, thNum } from "./parts";

export function CampaignDetailView({ a, now }: { a: CampaignAggregate; now: number }) {
  const c = a.campaign;
  const nsp = a.next_start_position;
  const scaleEnd = Math.max(c.total_items ?? 0, nsp, ...a.batches.items.map((b) => (b.position ?? 0) + (b.batch_size ?? 0)));
  const failedShown = a.failed_children.length;
  return (
    <div className="flex flex-col gap-4">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <StatCard
          id="next-start"
          title="next_start_position"
          state={c.state}
          value={formatCount(nsp)}
          detail={c.total_items != null ? `of ${formatCount(c.total_items)} in the source · batch ${formatCount(c.batch_size)}` : `source size not known yet · batch ${formatCount(c.batch_size)}`}
        />
        <section aria-labelledby="progress-title" className="flex min-w-0 flex-col gap-1 rounded-md border border-border bg-surface px-3 py-2.5" data-testid="stat-progress">
          <h3 id="progress-title" className="text-xs font-medium text-muted">Items done</h3>
          <ProgressBar done={a.progress.done} total={a.progress.total} label="Items done" />
          <p className="truncate text-xs text-muted">distinct positions with a completed item job</p>
        </section>
        <StatCard
          id="duplicates"
          title="Duplicates"
          state={a.duplicates.count ? "dead" : "completed"}
          badgeLabel={a.duplicates.count ? "duplicated" : "none"}
          value={formatCount(a.duplicates.count)}
          detail="items with more than one item job"
          emphasis={a.duplicates.count > 0}
        />
        <StatCard
          id="gaps"
          title="Gaps"
          state={a.gaps.count ? "failed" : "completed"}
          badgeLabel={a.gaps.count ? `${formatCount(a.missing.count)} missing` : "none"}
          value={formatCount(a.gaps.count)}
          detail={`positions below ${formatCount(nsp)} without a completed item`}
          emphasis={a.missing.count > 0}
        />
      </div>

      <Section id="children" title="Item jobs by state" note={`${formatCount(a.children.total)} item jobs · ${formatCount(a.batches.total)} batches`}>
        <div className="px-3 py-2.5">
          <ChildrenByState by={a.children.by_state} campaignId={c.id} testId="children-by-state" />
        </div>
      </Section>

      <Section
        id="batches"
        title="Batch timeline"
        note={`${formatCount(a.batches.total)} batches${a.batches.items.length < a.batches.total ? ` · latest ${formatCount(a.batches.items.length)} shown` : ""}`}
      >
        {a.batches.items.length ? (
          <BatchTimeline batches={a.batches.items} scaleEnd={scaleEnd} now={now} />
        ) : (
          <p className="px-3 py-4 text-sm text-muted">No batch yet.</p>
        )}
      </Section>

      <div className="grid gap-4 lg:grid-cols-2">
        <Section id="duplicates" title="Duplicates" note="an item with more than one live or finished item job">
          {a.duplicates.items.length ? (
            <table className="w-full text-sm" data-testid="duplicates-table">
              <thead className="border-b border-border">
                <tr>
                  <th scope="col" className={th}>Item key</th>
                  <th scope="col" className={th}>Item jobs</th>
                  <th scope="col" className={thNum}>Completed</th>
                </tr>
              </thead>
              <tbody>
                {a.duplicates.items.map((d) => (
                  <tr key={d.item_key} className="border-b border-border last:border-0">
                    <td className={`${td} break-all font-mono text-xs`}>{d.item_key}</td>
                    <td className={td}>
                      <ul className="flex flex-wrap gap-x-2">
                        {d.job_ids.map((id) => (
                          <li key={id}><Link href={`/jobs/${id}`} className="tabular text-accent underline-offset-2 hover:underline">#{id}</Link></li>
                        ))}
                      </ul>
                    </td>
                    <td className={tdNum}>{d.completed}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="px-3 py-4 text-sm" data-testid="duplicates-none"><span aria-hidden="true" className="mr-1 text-ok">●</span>No item was processed more than once.</p>
          )}
          {a.duplicates.count > a.duplicates.items.length ? (
            <p className="border-t border-border px-3 py-1.5 text-xs text-muted">First {formatCount(a.duplicates.items.length)} of {formatCount(a.duplicates.count)} shown.</p>
          ) : null}
        </Section>

        <Section id="gaps" title="Gaps" note={`positions below next_start_position ${formatCount(nsp)} with no completed item`}>
          {a.gaps.ranges.length ? (
            <div className="flex flex-col gap-2 px-3 py-2.5 text-sm">
              <ul className="flex flex-wrap gap-1.5" data-testid="gap-ranges" aria-label="Gap ranges">
                {a.gaps.ranges.map((g) => (
                  <li key={g.from} className="tabular rounded border border-border bg-surface-2 px-1.5 py-px font-mono text-xs">{rangeText(g)}</li>
                ))}
              </ul>
              <p className="text-xs text-muted" data-testid="gaps-explained">
                {formatCount(a.gaps.count)} position{a.gaps.count === 1 ? "" : "s"}: {formatCount(a.missing.count)} missing (no item job — Repair
                gaps enqueues them), {formatCount(a.gaps.count - a.missing.count)} waiting for an item job that is pending, running, retrying or dead.
              </p>
            </div>
          ) : (
            <p className="px-3 py-4 text-sm" data-testid="gaps-none"><span aria-hidden="true" className="mr-1 text-ok">●</span>No gaps: every position below {formatCount(nsp)} has a completed item.</p>
          )}
        </Section>
      </div>

      <Section
        id="failed"
        title="Failed item jobs"
        note={failedShown ? `${formatCount(failedShown)}${failedShown >= 100 ? "+ (first 100 shown)" : ""} dead or retrying` : undefined}
      >
        {failedShown ? (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="failed-children">
              <thead className="border-b border-border">
                <tr>
                  <th scope="col" className={th}>Job</th>
                  <th scope="col" className={th}>Item key</th>
                  <th scope="col" className={thNum}>Position</th>
                  <th scope="col" className={th}>State</th>
                  <th scope="col" className={thNum}>Attempts</th>
                  <th scope="col" className={th}>Error</th>
                </tr>
              </thead>
              <tbody>
                {a.failed_children.map((f) => (
                  <tr key={f.id} className="border-b border-border last:border-0">
                    <td className={td}><Link href={`/jobs/${f.id}`} className="tabular text-accent underline-offset-2 hover:underline">#{f.id}</Link></td>
                    <td className={`${td} break-all font-mono text-xs`}>{f.item_key ?? "—"}</td>
                    <td className={tdNum}>{f.position == null ? "—" : formatCount(f.position)}</td>
                    <td className={td}><StateBadge state={f.state} /></td>
                    <td className={tdNum}>{f.attempts}</td>
                    <td className={td}>
                      <pre className="max-h-24 max-w-[48rem] overflow-auto whitespace-pre-wrap break-words font-mono text-xs text-bad">{f.last_error ?? "—"}</pre>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="px-3 py-4 text-sm" data-testid="failed-none"><span aria-hidden="true" className="mr-1 text-ok">●</span>No failed or dead item jobs.</p>
        )}
      </Section>
    </div>
  );
}
