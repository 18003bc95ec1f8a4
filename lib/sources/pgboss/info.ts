// What a pg-boss source is and can do, for the legend, the capability checks and GET /api/v1/sources.
import { capabilitySet, withoutActions } from "../capabilities";
import type { Capability, CapabilitySet, SourceInfo } from "../types";
import { actingLibrary, type PgBossContext } from "./context";
import type { BossSchema } from "./schema";
import { STATE_MAP } from "./states";
import { UNSUPPORTED_FILTERS } from "./unsupported";

export function capabilitiesOf(ctx: PgBossContext, s: BossSchema): { set: CapabilitySet; readOnlyReason: string | null; libraryVersion: string | null } {
  const missing: Partial<Record<Capability, string>> = {
    attempts: "pg-boss keeps no per-attempt history: only the retry count and the last output",
    campaigns: "campaigns are Jobdeck's own; pg-boss jobs belong to none",
  };
  if (!s.hasInstance) {
    const reason = `this pg-boss schema (version ${s.version}) has no registry of running instances (pg-boss 12.36 added one)`;
    missing.workers = reason;
    missing.heartbeats = reason;
  }
  // Measured at 1M jobs (scripts/bench/source-pgboss.ts): a 12.x range aggregate over its (name,
  // completed_on) index took 0.2 s for 1 h but 2 s for 24 h and 8 s for 7 d; 10.x has no such index.
  missing.charts =
    s.family === "v12"
      ? "charting 24 h or 7 days would read every job pg-boss finished in the range (seconds at a million jobs): only the queue depth is charted, from Jobdeck's minute samples"
      : "pg-boss 10 has no index on completion time and archives finished jobs after 12 h: only the queue depth is charted, from Jobdeck's minute samples";
  const acting = actingLibrary(ctx.config, s);
  if (acting.lib && acting.lib.major === 10) {
    missing.priority = "pg-boss 10 has no function to change a queued job's priority (pg-boss 12 has update())";
    missing.runNow = "pg-boss 10 has no function to move a queued job's start time (pg-boss 12 has update())";
  }
  const set = capabilitySet(missing);
  return acting.lib ? { set, readOnlyReason: null, libraryVersion: acting.lib.version } : { set: withoutActions(set, acting.reason), readOnlyReason: acting.reason, libraryVersion: null };
}

export function infoOf(ctx: PgBossContext, s: BossSchema): SourceInfo {
  const { set, readOnlyReason, libraryVersion } = capabilitiesOf(ctx, s);
  return {
    name: ctx.config.name,
    kind: "pg-boss",
    library: "pg-boss",
    libraryVersion,
    schemaVersion: String(s.version),
    location: ctx.db.location,
    readOnly: readOnlyReason !== null,
    readOnlyReason,
    capabilities: set,
    unsupportedFilters: UNSUPPORTED_FILTERS,
    stateMap: STATE_MAP,
  };
}
