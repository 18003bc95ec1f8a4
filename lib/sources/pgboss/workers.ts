// pg-boss instances as workers, from `<schema>.instance` (pg-boss 12.36+): each started PgBoss
// registers a row, heartbeats it, and marks it stopped on a graceful stop(); pg-boss calls one
// live while it has beaten within three of its heartbeat intervals. pg-boss does not record
// which jobs an instance holds, so `running` is empty and `runningCount` is what it reports.
import type { SourceWorker } from "../types";
import type { PgBossContext } from "./context";

const QUIET_BEATS = 3;
export const WORKER_LIMIT = 200;

interface InstanceRow {
  id: string;
  name: string | null;
  host: string;
  pid: number;
  version: string;
  workers: { queue?: string; localConcurrency?: number; active?: number }[] | null;
  started_on: Date;
  heartbeat_on: Date;
  stopped_on: Date | null;
  live: boolean;
  heartbeat_age: number;
  uptime: number;
}

export async function listWorkers(ctx: PgBossContext): Promise<SourceWorker[]> {
  const s = await ctx.schema();
  if (!s.hasInstance) return [];
  const rows = await ctx.db.query<InstanceRow>(
    `select id, name, host, pid, version, workers, started_on, heartbeat_on, stopped_on,
       stopped_on is null and heartbeat_on >= now() - heartbeat_seconds * ${QUIET_BEATS} * interval '1 second' as live,
       extract(epoch from now() - heartbeat_on)::float8 as heartbeat_age,
       extract(epoch from coalesce(stopped_on, now()) - started_on)::float8 as uptime
     from ${s.name}.instance order by stopped_on is null desc, heartbeat_on desc limit ${WORKER_LIMIT}`,
  );
  return rows.map((r) => {
    const works = Array.isArray(r.workers) ? r.workers : [];
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    return {
      id: r.name ? `${r.name} (${r.id})` : r.id,
      hostname: r.host,
      pid: Number(r.pid),
      queues: [...new Set(works.map((w) => w.queue).filter((q): q is string => typeof q === "string"))],
      concurrency: works.length ? works.reduce((n, w) => n + Number(w.localConcurrency ?? 0), 0) : null,
      version: `pg-boss ${r.version}`,
      status: r.live ? "online" : r.stopped_on ? "stopped" : "offline",
      startedAt: iso(r.started_on),
      lastHeartbeatAt: iso(r.heartbeat_on),
      heartbeatAgeSeconds: Math.max(0, Math.round(Number(r.heartbeat_age))),
      uptimeSeconds: Math.max(0, Math.round(Number(r.uptime))),
      processed: null,
      failed: null,
      runningCount: works.reduce((n, w) => n + Number(w.active ?? 0), 0),
      running: [],
    };
  });
}
