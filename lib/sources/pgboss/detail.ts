// One pg-boss job in full: payload (data), result (output), the last error, pg-boss's own columns
// as `extra`, and a one-sentence recovery hint in the style of lib/queue/recovery.ts. pg-boss keeps
// no per-attempt history (attempts: null) and does not tie a job to a worker (workerOnline: null).
import type { SourceJobDetail } from "../types";
import type { PgBossContext } from "./context";
import { actingLibrary } from "./context";
import { parseJobRef } from "./keys";
import { attemptsOf, toSourceJob } from "./reads";
import { columns, type ScanRow } from "./scan.sql";
import { type BossSchema, errorTextSql, expireSecondsSql } from "./schema";
import { roughDuration } from "../../queue/recovery";

type DetailRow = ScanRow & {
  data: unknown;
  output: unknown;
  last_error: string | null;
  singleton_key: string | null;
  singleton_on: Date | null;
  keep_until: Date | null;
  expire_seconds: number | null;
  dead_letter: string | null;
  policy: string | null;
  retry_delay: number;
  retry_backoff: boolean;
  heartbeat_on: Date | null;
  heartbeat_seconds: number | null;
  archived_on: Date | null;
  now: Date;
};

function detailSql(s: BossSchema, table: "job" | "archive"): string {
  const archived = table === "archive";
  return `select ${columns(s, "row", archived)}, j.data, j.output,
      coalesce(j.output->>'stack', ${errorTextSql("j")}) as last_error,
      j.singleton_key, j.singleton_on, j.keep_until, ${expireSecondsSql(s, "j")} as expire_seconds, j.dead_letter, j.policy,
      j.retry_delay, j.retry_backoff,
      ${s.hasHeartbeat ? "j.heartbeat_on, j.heartbeat_seconds" : "null::timestamptz as heartbeat_on, null::int as heartbeat_seconds"},
      ${archived ? "j.archived_on" : "null::timestamptz as archived_on"}, now() as now
    from ${s.name}.${table} j where j.name = $1 and j.id = $2::uuid`;
}

export function recoveryHint(r: DetailRow, now: Date, canAct: boolean, canRunNow: boolean): string {
  const attempts = attemptsOf(r);
  const max = Number(r.retry_limit) + 1;
  if (r.archived) return "Archived by pg-boss: it can be read here, but pg-boss's functions no longer change it.";
  switch (r.state) {
    case "active": {
      const until = r.locked_until ? new Date(r.locked_until) : null;
      if (until && until < now) {
        return `Stale: its expiry passed ${roughDuration(now.getTime() - until.getTime())} ago and no pg-boss supervisor has failed it yet. ${canAct ? "Recover stale to fail this attempt" : "A supervising pg-boss fails this attempt"}${attempts >= max ? " (no retries left: it will be failed for good)" : " so pg-boss retries it"}.`;
      }
      return `Running; it expires in ${until ? roughDuration(until.getTime() - now.getTime()) : "its expiry time"} unless its worker finishes. Nothing to do; it is never retried while running.`;
    }
    case "created":
      return new Date(r.start_after) > now
        ? `Scheduled to run in ${roughDuration(new Date(r.start_after).getTime() - now.getTime())}.${canRunNow ? " Run now to start it early." : ""}`
        : `Waiting for a worker on queue "${r.name}". If it waits long, check that a pg-boss worker serves this queue.`;
    case "retry": {
      const at = new Date(r.start_after);
      return `Attempt ${attempts} of ${max} failed; pg-boss tries again ${at > now ? `in ${roughDuration(at.getTime() - now.getTime())}` : "as soon as a worker fetches it"}.${canRunNow ? " Retry to run it at once." : ""}`;
    }
    case "failed":
      return `Failed for good after ${attempts} attempt${attempts === 1 ? "" : "s"}. Fix the cause in the last error first, then retry: pg-boss queues it again with one more retry allowed.`;
    case "cancelled":
      return `Cancelled.${canAct ? " Retry to queue it again (pg-boss resume)." : ""}`;
    default:
      return "Completed. Nothing to do; pg-boss has no function to run a completed job again.";
  }
}

function extras(r: DetailRow): { label: string; value: string }[] {
  const out: [string, unknown][] = [
    ["retry count", r.retry_count],
    ["retry limit", r.retry_limit],
    ["retry delay", `${r.retry_delay} s${r.retry_backoff ? " (exponential backoff)" : ""}`],
    ["expires after", r.expire_seconds == null ? null : `${Number(r.expire_seconds)} s`],
    ["heartbeat every", r.heartbeat_seconds == null ? null : `${r.heartbeat_seconds} s`],
    ["keep until", r.keep_until && new Date(r.keep_until).toISOString()],
    ["singleton key", r.singleton_key],
    ["singleton slot", r.singleton_on && new Date(r.singleton_on).toISOString()],
    ["policy", r.policy],
    ["dead letter queue", r.dead_letter],
    ["archived at", r.archived_on && new Date(r.archived_on).toISOString()],
  ];
  return out.filter(([, v]) => v !== null && v !== undefined && v !== "").map(([label, v]) => ({ label, value: String(v) }));
}

export async function getJob(ctx: PgBossContext, key: string): Promise<SourceJobDetail | null> {
  const ref = parseJobRef(key);
  if (!ref) return null;
  const s = await ctx.schema();
  let [row] = await ctx.db.query<DetailRow>(detailSql(s, "job"), [ref.queue, ref.id]);
  if (!row && s.hasArchive) [row] = await ctx.db.query<DetailRow>(detailSql(s, "archive"), [ref.queue, ref.id]);
  if (!row) return null;
  const job = toSourceJob(row);
  const now = new Date(row.now);
  const { lib } = actingLibrary(ctx.config, s);
  const canAct = lib !== null && !row.archived;
  const canRunNow = canAct && lib.major === 12;
  return {
    job: {
      ...job,
      payload: row.data ?? null,
      result: row.state === "completed" ? (row.output ?? null) : null,
      lastError: row.last_error,
      progress: null,
      progressMessage: null,
      heartbeatAt: row.heartbeat_on ? new Date(row.heartbeat_on).toISOString() : null,
    },
    now: now.toISOString(),
    isStale: row.state === "active" && row.locked_until !== null && new Date(row.locked_until) < now,
    canRetry: canAct && (row.state === "failed" || row.state === "cancelled" || (row.state === "retry" && canRunNow)),
    recoveryHint: recoveryHint(row, now, canAct, canRunNow),
    workerOnline: null,
    attempts: null,
    attemptsTotal: null,
    extra: extras(row),
    campaign: null,
    parent: null,
    children: { byState: {}, total: 0 },
  };
}
