// Per queue and kind: active and dead counts (exact, through the jobs indexes) and throughput,
// runtime percentiles and failure rate over the chosen range (from job_rollups). Every number
// links to the jobs list filtered to what it counts.
import Link from "next/link";
import { formatMs } from "@/components/charts/chart-format";
import { OVERVIEW_RANGES, type KindRates, type OverviewRange } from "@/lib/queries/rollups";
import type { KindCounts } from "@/lib/queries/summary";
import { formatCount } from "../format";
import { Empty, Panel, td, tdNum, th, thNum } from "./panel";

interface Row {
  queue: string;
  kind: string;
  counts: KindCounts | null;
  rates: KindRates | null;
}

function jobsHref(params: Record<string, string>): string {
  return `/jobs?${new URLSearchParams(params).toString()}`;
}

function Num({ href, value, label, tone }: { href: string; value: string; label: string; tone?: string }) {
  return (
    <Link href={href} aria-label={label} className={`underline-offset-2 hover:underline ${tone ?? ""}`}>
      {value}
    </Link>
  );
}

const pct = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
const rate = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

export function KindsTable({
  kinds,
  rates,
  range,
}: {
  kinds: KindCounts[];
  rates: KindRates[];
  range: OverviewRange;
}) {
  const r = OVERVIEW_RANGES[range];
  const since = range;
  const rows = new Map<string, Row>();
  const key = (q: string, k: string) => JSON.stringify([q, k]);
  for (const c of kinds) rows.set(key(c.queue, c.kind), { queue: c.queue, kind: c.kind, counts: c, rates: null });
  for (const x of rates) {
    const row = rows.get(key(x.queue, x.kind));
    if (row) row.rates = x;
    else rows.set(key(x.queue, x.kind), { queue: x.queue, kind: x.kind, counts: null, rates: x });
  }
  const list = [...rows.values()].sort((a, b) => a.queue.localeCompare(b.queue) || a.kind.localeCompare(b.kind));
  return (
    <Panel
      id="kinds"
      title="By queue and kind"
      note={<>counts: now, exact · rates: {r.label}</>}
    >
      {list.length === 0 ? (
        <Empty>No jobs yet, and nothing finished in the {r.label}.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="kinds-table">
            <thead className="border-b border-border">
              <tr>
                <th scope="col" className={th}>Queue</th>
                <th scope="col" className={th}>Kind</th>
                <th scope="col" className={thNum}>Pending</th>
                <th scope="col" className={thNum}>Running</th>
                <th scope="col" className={thNum}>Retrying</th>
                <th scope="col" className={thNum}>Dead</th>
                <th scope="col" className={thNum} title={`completed per minute, averaged over the ${r.label}`}>Done/min</th>
                <th scope="col" className={thNum}>p50</th>
                <th scope="col" className={thNum}>p95</th>
                <th scope="col" className={thNum} title="failed ÷ (completed + failed) attempts">Fail rate</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {list.map((row) => {
                const c = row.counts;
                const x = row.rates;
                const base = { queue: row.queue, kind: row.kind };
                const who = `${row.kind} in ${row.queue}`;
                const pending = (c?.ready ?? 0) + (c?.scheduled ?? 0);
                return (
                  <tr key={key(row.queue, row.kind)} data-testid="kind-row" data-kind={row.kind} data-queue={row.queue}>
                    <td className={`${td} font-mono`}>{row.queue}</td>
                    <th scope="row" className={`${td} text-left font-mono font-medium`}>{row.kind}</th>
                    <td className={tdNum}>
                      <Num href={jobsHref({ ...base, state: "pending" })} value={formatCount(pending)} label={`${formatCount(pending)} pending ${who}`} />
                    </td>
                    <td className={tdNum}>
                      <Num href={jobsHref({ ...base, state: "running" })} value={formatCount(c?.running ?? 0)} label={`${formatCount(c?.running ?? 0)} running ${who}`} />
                    </td>
                    <td className={tdNum}>
                      <Num href={jobsHref({ ...base, state: "failed" })} value={formatCount(c?.retrying ?? 0)} label={`${formatCount(c?.retrying ?? 0)} retrying ${who}`}
                        tone={c?.retrying ? "text-warn" : undefined} />
                    </td>
                    <td className={tdNum}>
                      <Num href={jobsHref({ ...base, state: "dead" })} value={formatCount(c?.dead ?? 0)} label={`${formatCount(c?.dead ?? 0)} dead ${who}`}
                        tone={c?.dead ? "font-semibold text-bad" : undefined} />
                    </td>
                    <td className={tdNum}>
                      <Num href={jobsHref({ ...base, state: "completed", finishedSince: since })} value={x ? rate.format(x.perMinute) : "0"}
                        label={`${formatCount(x?.completed ?? 0)} ${who} completed in the ${r.label}`} />
                    </td>
                    <td className={tdNum}>
                      {x?.p50Ms != null ? (
                        <Num href={jobsHref({ ...base, state: "completed", finishedSince: since })} value={formatMs(x.p50Ms)}
                          label={`${who}: median runtime ${formatMs(x.p50Ms)}`} />
                      ) : "—"}
                    </td>
                    <td className={tdNum}>
                      {x?.p95Ms != null ? (
                        <Num href={jobsHref({ ...base, state: "completed", finishedSince: since })} value={formatMs(x.p95Ms)}
                          label={`${who}: 95th percentile runtime ${formatMs(x.p95Ms)}`} />
                      ) : "—"}
                    </td>
                    <td className={tdNum}>
                      {x?.failureRate != null ? (
                        <Num href={jobsHref({ ...base, state: "failed,dead" })} value={pct.format(x.failureRate)}
                          label={`${pct.format(x.failureRate)} of ${who} attempts failed in the ${r.label}`}
                          tone={x.failureRate >= 0.05 ? "text-bad" : undefined} />
                      ) : "—"}
                    </td>
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
