// The overview's four charts over the chosen range — throughput, failure rate, runtime p50/p95
// (from job_rollups) and queue depth by state (from the maintenance loop's minute samples).
// Server component: it shapes plain data for the small client charts and writes each chart's
// text alternative: a one-line summary and the numbers as a table.
import type { ReactNode } from "react";
import type { OverviewSeries } from "@/lib/queries/rollups";
import { OVERVIEW_RANGES } from "@/lib/queries/rollups";
import { type ChartFormat, formatInstant, formatValue } from "./chart-format";
import { type ChartSeries, TimeSeriesChart } from "./time-series-chart";

type Row = Record<string, number | null>;

function ChartFigure({
  id,
  title,
  note,
  summary,
  rows,
  series,
  format,
  children,
}: {
  id: string;
  title: string;
  note: string;
  summary: string;
  rows: Row[];
  series: readonly ChartSeries[];
  format: ChartFormat;
  children: ReactNode;
}) {
  return (
    <figure aria-labelledby={`${id}-title`} data-testid={`chart-${id}`} className="min-w-0 rounded-md border border-border bg-surface">
      <figcaption className="flex flex-wrap items-baseline justify-between gap-x-3 border-b border-border px-3 py-2">
        <h3 id={`${id}-title`} className="text-sm font-semibold">{title}</h3>
        <span className="text-xs text-muted">{note}</span>
      </figcaption>
      <p className="px-3 pt-2 text-xs text-muted" data-chart-summary>{summary}</p>
      <div className="px-1 pb-1 pt-1">{children}</div>
      <details className="border-t border-border px-3 py-1.5 text-xs">
        <summary className="cursor-pointer text-muted hover:text-fg">Data table</summary>
        <div className="max-h-64 overflow-auto">
          <table className="w-full tabular">
            <caption className="sr-only">{title}, {note}</caption>
            <thead>
              <tr>
                <th scope="col" className="py-1 pr-3 text-left font-semibold">Interval start</th>
                {series.map((s) => (
                  <th key={s.key} scope="col" className="py-1 pl-3 text-right font-semibold">{s.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.t} className="border-t border-border">
                  <th scope="row" className="py-0.5 pr-3 text-left font-normal">{formatInstant(Number(r.t))}</th>
                  {series.map((s) => (
                    <td key={s.key} className="py-0.5 pl-3 text-right">{formatValue(r[s.key], format)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

const sum = (xs: readonly (number | null)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

function peak(rows: Row[], key: string): Row | null {
  let best: Row | null = null;
  for (const r of rows) if (r[key] != null && (best == null || (r[key] ?? 0) > (best[key] ?? 0))) best = r;
  return best;
}

export function OverviewCharts({
  series,
  depthOnly,
  sampler = "a worker's maintenance loop",
}: {
  series: OverviewSeries;
  /** Only the depth chart, with the sentence that says why there is no history to chart. */
  depthOnly?: { reason: string };
  /** Who takes the depth samples, for the empty chart's sentence. */
  sampler?: string;
}) {
  const range = OVERVIEW_RANGES[series.range];
  const note = `${range.label}, ${range.stepLabel}, UTC`;
  const pts = series.points;
  const throughputRows: Row[] = pts.map((p) => ({ t: p.t, completed: p.completed, failed: p.failed }));
  const rateRows: Row[] = pts.map((p) => ({ t: p.t, failureRate: p.failureRate }));
  const runtimeRows: Row[] = pts.map((p) => ({ t: p.t, p50: p.p50Ms, p95: p.p95Ms }));
  const depthRows: Row[] = series.depth.map((d) => ({ t: d.t, ready: d.ready, scheduled: d.scheduled, running: d.running, retrying: d.retrying }));

  const completed = sum(pts.map((p) => p.completed));
  const failed = sum(pts.map((p) => p.failed));
  const dead = sum(pts.map((p) => p.dead));
  const peakDone = peak(throughputRows, "completed");
  const throughputSummary = completed + failed === 0
    ? `No attempts finished in the ${range.label}.`
    : `${formatValue(completed, "count")} completed and ${formatValue(failed, "count")} failed attempts (${formatValue(dead, "count")} went dead) in the ${range.label}` +
      (peakDone && (peakDone.completed ?? 0) > 0 ? `; busiest interval ${formatInstant(Number(peakDone.t))} with ${formatValue(peakDone.completed, "count")} completed.` : ".");

  const worstRate = peak(rateRows, "failureRate");
  const rateSummary = completed + failed === 0
    ? "No attempts, so no failure rate."
    : `Failure rate ${formatValue(failed / (completed + failed), "percent")} over the range` +
      (worstRate?.failureRate != null ? `; worst interval ${formatInstant(Number(worstRate.t))} at ${formatValue(worstRate.failureRate, "percent")}.` : ".");

  const lastRuntime = [...runtimeRows].reverse().find((r) => r.p50 != null);
  const worstP95 = peak(runtimeRows, "p95");
  const runtimeSummary = !lastRuntime
    ? "No completed attempts, so no runtimes."
    : `Latest interval with completions (${formatInstant(Number(lastRuntime.t))}): p50 ${formatValue(lastRuntime.p50, "ms")}, p95 ${formatValue(lastRuntime.p95, "ms")}` +
      (worstP95?.p95 != null ? `; highest p95 ${formatValue(worstP95.p95, "ms")} at ${formatInstant(Number(worstP95.t))}.` : ".");

  const lastDepth = [...depthRows].reverse().find((r) => r.ready != null);
  const depthSummary = series.depthSamples === 0
    ? `No queue depth samples in this range yet: ${sampler} takes one per minute.`
    : `Latest sample average: ${formatValue(lastDepth?.ready ?? 0, "count")} ready, ${formatValue(lastDepth?.scheduled ?? 0, "count")} scheduled, ${formatValue(lastDepth?.running ?? 0, "count")} running, ${formatValue(lastDepth?.retrying ?? 0, "count")} retrying; peak ready ${formatValue(peak(depthRows, "ready")?.ready ?? 0, "count")}.`;

  const throughputSeries: ChartSeries[] = [
    { key: "completed", label: "Completed", color: "var(--ok-fg)" },
    { key: "failed", label: "Failed", color: "var(--bad-fg)" },
  ];
  const rateSeries: ChartSeries[] = [{ key: "failureRate", label: "Failure rate", color: "var(--bad-fg)" }];
  const runtimeSeries: ChartSeries[] = [
    { key: "p50", label: "p50", color: "var(--info-fg)" },
    { key: "p95", label: "p95", color: "var(--run-fg)", dashed: true },
  ];
  const depthSeries: ChartSeries[] = [
    { key: "ready", label: "Ready", color: "var(--info-fg)" },
    { key: "scheduled", label: "Scheduled", color: "var(--idle-fg)" },
    { key: "running", label: "Running", color: "var(--run-fg)" },
    { key: "retrying", label: "Retrying", color: "var(--warn-fg)" },
  ];

  const depthChart = (
    <ChartFigure id="depth" title="Queue depth by state" note={`average of minute samples ${range.stepLabel}, UTC`} summary={depthSummary}
      rows={depthRows} series={depthSeries} format="count">
      <TimeSeriesChart data={depthRows} series={depthSeries} type="area" format="count" rangeSeconds={range.seconds} stacked />
    </ChartFigure>
  );
  if (depthOnly) {
    return (
      <section aria-labelledby="charts-title" className="flex flex-col gap-2">
        <h2 id="charts-title" className="sr-only">History</h2>
        <div className="grid gap-4 lg:grid-cols-2">
          {depthChart}
          <p className="self-start rounded-md border border-border bg-surface-2 px-3 py-2 text-sm text-muted" data-testid="charts-capability">
            No throughput, failure-rate or runtime charts: {depthOnly.reason}.
          </p>
        </div>
      </section>
    );
  }

  return (
    <section aria-labelledby="charts-title" className="flex flex-col gap-2">
      <h2 id="charts-title" className="sr-only">History</h2>
      <div className="grid gap-4 lg:grid-cols-2">
        <ChartFigure id="throughput" title="Throughput" note={`attempts ${range.stepLabel}, ${range.label}, UTC`} summary={throughputSummary}
          rows={throughputRows} series={throughputSeries} format="count">
          <TimeSeriesChart data={throughputRows} series={throughputSeries} type="bar" format="count" rangeSeconds={range.seconds} stacked />
        </ChartFigure>
        {depthChart}
        <ChartFigure id="failure-rate" title="Failure rate" note={`failed ÷ (completed + failed) attempts, ${note}`} summary={rateSummary}
          rows={rateRows} series={rateSeries} format="percent">
          <TimeSeriesChart data={rateRows} series={rateSeries} type="line" format="percent" rangeSeconds={range.seconds} />
        </ChartFigure>
        <ChartFigure id="runtime" title="Runtime p50 / p95" note={`completed attempts, ${note}`} summary={runtimeSummary}
          rows={runtimeRows} series={runtimeSeries} format="ms">
          <TimeSeriesChart data={runtimeRows} series={runtimeSeries} type="line" format="ms" rangeSeconds={range.seconds} />
        </ChartFigure>
      </div>
    </section>
  );
}
