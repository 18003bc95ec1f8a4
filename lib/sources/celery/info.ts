// What a Celery source is and can do: its capabilities, each missing one with the sentence an
// operator reads where they would look for it, the state legend and the filter notes, the
// library version its newest worker reports, and where its broker is (host, port and database
// only: the broker URL may carry a password).
import type { Sql } from "../../../db/client";
import { capabilitySet, withoutActions } from "../capabilities";
import type { CelerySourceConfig } from "../config";
import type { CapabilitySet, SourceInfo, SourceNotice } from "../types";
import { FILTER_NOTES, UNSUPPORTED_FILTERS } from "./criteria";
import { CELERY_STATE_MAP } from "./states";

const NO_RESCHEDULE = "Celery cannot change a sent task's priority or ETA: the message is already in the broker (revoke it and send it again instead)";

export const CELERY_MISSING = {
  priority: NO_RESCHEDULE,
  runNow: NO_RESCHEDULE,
  recoverStale:
    "Celery has no lease to release: a task in flight on a dead worker is redelivered by the broker only if the task uses acks_late (Redis: after the visibility timeout, 1 h by default; RabbitMQ: when the worker's connection closes), otherwise it is lost. Revoke it so a redelivery does not run it, or retry it (a new task with the same arguments) when its arguments are known",
  charts:
    "Jobdeck keeps Celery tasks without an index on their finish time, so charting a range would read every task finished in it: the depth chart comes from Jobdeck's sampler, the last hour's counts from the newest tasks",
  campaigns: "campaigns are Jobdeck's own: Celery tasks belong to none (Celery's groups and chords are not campaigns)",
} as const;

export function celeryCapabilities(config: CelerySourceConfig): CapabilitySet {
  const set = capabilitySet(CELERY_MISSING);
  return config.readOnly ? withoutActions(set, "configured read-only (readOnly: true)") : set;
}

/** The Celery version of the worker that beat most recently (workers report it in their events). */
export async function newestWorkerVersion(q: Sql, source: string): Promise<string | null> {
  const [r] = await q.query<{ sw_ver: string | null }>(
    "select sw_ver from celery_workers where source = $1 and sw_ver is not null order by last_heartbeat_at desc nulls last limit 1",
    [source],
  );
  return r?.sw_ver ?? null;
}

export function celeryInfo(config: CelerySourceConfig, location: string, libraryVersion: string | null, notices: SourceNotice[]): SourceInfo {
  return {
    name: config.name,
    kind: "celery",
    library: "celery",
    libraryVersion,
    // Celery's events have no schema Jobdeck could version.
    schemaVersion: null,
    location,
    readOnly: config.readOnly,
    readOnlyReason: config.readOnly ? "configured read-only (readOnly: true)" : null,
    capabilities: celeryCapabilities(config),
    unsupportedFilters: UNSUPPORTED_FILTERS,
    filterNotes: FILTER_NOTES,
    stateMap: CELERY_STATE_MAP,
    notices,
  };
}
