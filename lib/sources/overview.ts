// The all-sources overview's data: for every source its info, health and summary, read side by
// side so one slow or unreachable source never blocks the others (each read has its own timeout
// through its guest pool; failures become a row that says so).
import type { Sql } from "../../db/client";
import { describeDbError } from "../../db/outage";
import { OVERVIEW_RANGES, type OverviewRange, type OverviewSeries } from "../queries/rollups";
import { sampledDepth } from "./sampler";
import type { Source, SourceHealth, SourceInfo, SourceSummary } from "./types";

export interface SourceOverviewRow {
  info: SourceInfo;
  health: SourceHealth;
  summary: SourceSummary | null;
  /** Why the summary is missing when health was ok. */
  summaryError: string | null;
}

export async function readSourceRow(s: Source): Promise<SourceOverviewRow> {
  const [info, health] = await Promise.all([s.info(), s.health()]);
  if (!health.ok) return { info, health, summary: null, summaryError: null };
  try {
    return { info, health, summary: await s.summary(), summaryError: null };
  } catch (err) {
    return { info, health, summary: null, summaryError: describeDbError(err) };
  }
}

export function readAllSources(sources: readonly Source[]): Promise<SourceOverviewRow[]> {
  return Promise.all(sources.map(readSourceRow));
}

/**
 * A foreign source's chart series: throughput from the source where it records it, and depth
 * from Jobdeck's own per-minute samples (lib/sources/sampler) — never both from its tables.
 */
export async function sourceSeries(control: Sql, source: Source, range: OverviewRange): Promise<OverviewSeries> {
  const [own, sampled] = await Promise.all([source.series(range).catch(() => null), sampledDepth(control, source.name, range)]);
  return {
    range,
    stepSeconds: OVERVIEW_RANGES[range].stepSeconds,
    points: own?.points ?? [],
    depth: sampled.depth,
    depthSamples: sampled.depthSamples,
  };
}
