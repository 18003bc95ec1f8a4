// Everything the overview page reads, in one parallel round: the summary (jobs table, through
// indexes), the charts and per-kind rates (rollups only), and the needs-attention list.
// `npm run bench` times exactly this function.
// No `import "server-only"`: `npm run bench` times this module from plain Node (like lib/queries/jobs.ts).
import type { Sql } from "@/db/client";
import { getKindRates, getOverviewSeries, type KindRates, type OverviewRange, type OverviewSeries } from "./rollups";
import { type AttentionItem, getOverviewSummary, needsAttention, type OverviewSummary } from "./summary";

export interface Overview {
  range: OverviewRange;
  summary: OverviewSummary;
  series: OverviewSeries;
  rates: KindRates[];
  attention: AttentionItem[];
}

export async function getOverview({ q, range }: { q: Sql; range: OverviewRange }): Promise<Overview> {
  const [summary, series, kindRates] = await Promise.all([
    getOverviewSummary({ q }),
    getOverviewSeries({ q, range }),
    getKindRates({ q, range }),
  ]);
  return { range, summary, series, rates: kindRates.rates, attention: needsAttention(summary, kindRates.deadTrend) };
}
