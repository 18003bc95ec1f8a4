// GET /api/v1/sources (every source: kind, versions, capabilities, health, counts) and
// GET /api/v1/admin/workers?source=NAME (Flower's workers view), built with apiRoute.
import "server-only";
import { getSources, sourceFromParam } from "../server/sources";
import { requireCapability } from "../sources/capabilities";
import type { Source } from "../sources/types";
import { apiRoute } from "./route";
import { sourcesQuery, workersQuery } from "./source-schemas";

const READ = { role: "viewer", scope: "jobs:read" } as const;

async function describeSource(s: Source) {
  const [info, health] = await Promise.all([s.info(), s.health()]);
  const summary = health.ok ? await s.summary().catch(() => null) : null;
  return {
    name: info.name,
    kind: info.kind,
    library: info.library,
    library_version: info.libraryVersion,
    schema_version: info.schemaVersion,
    location: info.location,
    read_only: info.readOnly,
    read_only_reason: info.readOnlyReason,
    capabilities: info.capabilities,
    unsupported_filters: info.unsupportedFilters,
    state_map: info.stateMap,
    notices: info.notices ?? [],
    health: { ok: health.ok, checked_at: health.checkedAt, latency_ms: health.latencyMs, error: health.error, breaker: health.breaker },
    summary: summary && {
      as_of: summary.asOf,
      counts: summary.counts,
      oldest_pending_age_seconds: summary.oldestPendingAgeSeconds,
      failed_last_hour: summary.failedLastHour,
      completed_last_hour: summary.completedLastHour,
      workers: summary.workers,
      stale: summary.stale,
    },
  };
}

export const sourcesRoute = apiRoute({
  name: "GET /api/v1/sources",
  auth: READ,
  query: sourcesQuery,
  async handler() {
    const registry = await getSources();
    return { sources: await Promise.all(registry.all.map(describeSource)) };
  },
});

export const workersRoute = apiRoute({
  name: "GET /api/v1/admin/workers",
  auth: READ,
  query: workersQuery,
  async handler({ query }) {
    const source = await sourceFromParam(query.source);
    requireCapability(source.name, (await source.info()).capabilities, "workers");
    const workers = await source.listWorkers();
    return {
      source: source.name,
      workers: workers.map((w) => ({
        id: w.id,
        status: w.status.toUpperCase() as "ONLINE" | "OFFLINE" | "STOPPED" | "UNKNOWN",
        hostname: w.hostname,
        pid: w.pid,
        queues: w.queues,
        concurrency: w.concurrency,
        version: w.version,
        started_at: w.startedAt,
        last_heartbeat_at: w.lastHeartbeatAt,
        heartbeat_age_seconds: w.heartbeatAgeSeconds,
        processed: w.processed,
        failed: w.failed,
        running_count: w.runningCount,
        running: w.running.map((r) => ({ key: r.key, kind: r.kind, queue: r.queue, started_at: r.startedAt, lease_expired: r.leaseExpired })),
      })),
    };
  },
});
