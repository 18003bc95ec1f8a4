// The pg-boss source on one screen: counts by state (each queue × state read along an index and
// capped: live states at 100,000, finished ones at 10,000), the oldest ready job, completions in
// the last hour (12.x: its (name, completed_on) index), stale jobs, pg-boss instances, and a row
// per queue. Cached per source for a few seconds so dashboards polling it go easy on pg-boss's
// hot tables.
import type { CappedCount, SourceQueueSummary, SourceSummary } from "../types";
import type { JobState } from "../../queue/state-machine";
import type { PgBossContext } from "./context";
import { type BossSchema, lockedUntilSql } from "./schema";
import { NATIVE_STATES, type NativeState, toJobState } from "./states";
import { listWorkers } from "./workers";

export const LIVE_CAP = 100_000;
export const HISTORY_CAP = 10_000;
export const SUMMARY_TTL_MS = 5_000;
const QUEUE_LIMIT = 1_000;
const LIVE: readonly NativeState[] = ["created", "retry", "active"];

function cappedCount(s: BossSchema, table: string, state: NativeState, cap: number, extra = ""): string {
  return `(select count(*)::int from (select 1 from ${s.name}.${table} j where j.name = q.name and j.state = '${state}'${extra} limit ${cap + 1}) c)`;
}

function oldestReadySql(s: BossSchema): string {
  if (s.family === "v10") {
    // pg-boss 10's fetch index: (name, start_after) where state < 'active'.
    return `(select min(j.start_after) from ${s.name}.job j where j.name = q.name and j.state < 'active' and j.start_after <= now())`;
  }
  const blocked = s.hasBlocked ? " and j.blocked = false" : "";
  const min = (st: string) => `(select min(j.start_after) from ${s.name}.job j where j.name = q.name and j.state = '${st}'${blocked} and j.start_after <= now())`;
  return `least(${min("created")}, ${min("retry")})`;
}

/** The queue row as JSON: its columns differ between pg-boss versions (retention_minutes → retention_seconds, partition, ...). */
interface QueueColumns {
  policy?: string | null;
  retry_limit?: number | null;
  expire_seconds?: number | null;
  dead_letter?: string | null;
  retention_minutes?: number | null;
  retention_seconds?: number | null;
  partition?: boolean | null;
}

type QueueRow = Record<NativeState | `archived_${NativeState}`, number> & {
  name: string;
  q: QueueColumns;
  oldest_ready: number | null;
  stale: number;
  completed_hour: number | null;
};

function note(q: QueueColumns): string {
  const parts = [`policy ${q.policy ?? "standard"}`];
  if (q.retry_limit != null) parts.push(`retry limit ${q.retry_limit}`);
  if (q.expire_seconds != null) parts.push(`expires after ${q.expire_seconds} s`);
  const retention = q.retention_seconds ?? (q.retention_minutes != null ? q.retention_minutes * 60 : null);
  if (retention != null) parts.push(`kept ${+(retention / 86_400).toFixed(1)} d`);
  if (q.dead_letter) parts.push(`dead letters to ${q.dead_letter}`);
  if (q.partition) parts.push("own table");
  return parts.join(" · ");
}

export async function readSummary(ctx: PgBossContext): Promise<SourceSummary> {
  const s = await ctx.schema();
  const counts = NATIVE_STATES.map((st) => `${cappedCount(s, "job", st, LIVE.includes(st) ? LIVE_CAP : HISTORY_CAP)} as ${st}`);
  if (s.hasArchive) counts.push(...(["completed", "cancelled", "failed"] as const).map((st) => `${cappedCount(s, "archive", st, HISTORY_CAP)} as archived_${st}`));
  const completedHourSql =
    s.family === "v12" ? `(select count(*)::int from ${s.name}.job j where j.name = q.name and j.completed_on >= now() - interval '1 hour' and j.state = 'completed')` : "null::int";
  const [rows, clock, workers] = await Promise.all([
    ctx.db.query<QueueRow>(
      `select q.name, to_jsonb(q) - 'ready_history' - 'wait_bins' - 'run_bins' as q, ${counts.join(", ")},
         extract(epoch from now() - ${oldestReadySql(s)})::float8 as oldest_ready,
         (select count(*)::int from (select 1 from ${s.name}.job j where j.name = q.name and j.state = 'active' and ${lockedUntilSql(s, "j")} < now() limit ${LIVE_CAP + 1}) c) as stale,
         ${completedHourSql} as completed_hour
       from ${s.name}.queue q order by q.name limit ${QUEUE_LIMIT}`,
    ),
    ctx.db.query<{ now: Date }>("select now() as now"),
    s.hasInstance ? listWorkers(ctx) : Promise.resolve(null),
  ]);
  const totals: Partial<Record<JobState, CappedCount>> = {};
  const queues: SourceQueueSummary[] = [];
  let oldest: number | null = null;
  let stale = 0;
  let completedHour: number | null = s.family === "v12" ? 0 : null;
  for (const r of rows) {
    for (const st of NATIVE_STATES) {
      const cap = LIVE.includes(st) ? LIVE_CAP : HISTORY_CAP;
      const parts = [Number(r[st] ?? 0), ...(s.hasArchive && !LIVE.includes(st) ? [Number(r[`archived_${st}`] ?? 0)] : [])];
      const t = (totals[toJobState(st)] ??= { value: 0, capped: false });
      for (const n of parts) {
        t.value += Math.min(n, cap);
        t.capped ||= n > cap;
      }
    }
    const age = r.oldest_ready == null ? null : Math.max(0, Number(r.oldest_ready));
    if (age !== null) oldest = Math.max(oldest ?? 0, age);
    stale += Number(r.stale);
    if (completedHour !== null) completedHour += Number(r.completed_hour ?? 0);
    queues.push({ queue: r.name, pending: Math.min(Number(r.created), LIVE_CAP), running: Math.min(Number(r.active), LIVE_CAP), failed: Math.min(Number(r.retry), LIVE_CAP), oldestPendingAgeSeconds: age, note: note(r.q) });
  }
  return {
    asOf: new Date(clock[0].now).toISOString(),
    counts: totals,
    oldestPendingAgeSeconds: oldest,
    // A retried attempt leaves no timestamp in pg-boss: failures per hour cannot be told.
    failedLastHour: null,
    completedLastHour: completedHour,
    workers: workers === null ? null : { online: workers.filter((w) => w.status === "online").length, offline: workers.filter((w) => w.status === "offline").length },
    stale,
    queues,
  };
}

/** readSummary, shared by every caller within SUMMARY_TTL_MS (and while one read is in flight). */
export function cachedSummary(ctx: PgBossContext, ttlMs = SUMMARY_TTL_MS): () => Promise<SourceSummary> {
  let cached: { at: number; value: Promise<SourceSummary> } | null = null;
  return () => {
    if (!cached || Date.now() - cached.at > ttlMs) {
      const value = readSummary(ctx);
      cached = { at: Date.now(), value };
      value.catch(() => {
        if (cached?.value === value) cached = null;
      });
    }
    return cached.value;
  };
}
