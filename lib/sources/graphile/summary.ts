// The overview of a graphile-worker source. graphile-worker keeps no counters, so counting means
// reading rows; to keep the cost bounded whatever the backlog, the counts of pending, failed
// and dead jobs come from the newest SUMMARY_WINDOW jobs (exact when the table holds no more,
// "at least" otherwise), running and stale from the locked jobs (at most LOCKED_CAP), and the
// oldest waiting job from the oldest ids. No failure or completion history exists to count.
import type { Sql } from "../../../db/client";
import type { JobState } from "../../queue/state-machine";
import type { CappedCount, SourceQueueSummary, SourceSummary } from "../types";
import { quoteIdent } from "./schema";
import { staleLockSql, stateSql } from "./states";

export const SUMMARY_WINDOW = 100_000;
const LOCKED_CAP = 10_000;
/** How many of the oldest waiting jobs the oldest-wait probe looks at when the window is capped. */
const OLDEST_PROBE = 1_000;

interface WindowRow {
  state: JobState;
  queue: string | null;
  kind: string;
  n: number;
  oldest: number | null;
}

const fmt = (n: number) => n.toLocaleString("en-US");

export async function graphileSummary(q: Sql, schema: string): Promise<SourceSummary> {
  const s = quoteIdent(schema);
  const [window, locked, [probe], [clock]] = await Promise.all([
    q.query<WindowRow>(
      `select x.state, x.queue, x.kind, count(*)::int as n,
         extract(epoch from now() - min(x.run_at) filter (where x.state = 'pending' and x.run_at <= now()))::float8 as oldest
       from (select ${stateSql()} as state, j.queue_name as queue, j.task_identifier as kind, j.run_at
             from ${s}.jobs j order by j.id desc limit $1) x
       group by 1, 2, 3`,
      [SUMMARY_WINDOW + 1],
    ),
    q.query<{ queue: string | null; n: number; stale: number }>(
      `select x.queue, count(*)::int as n, count(*) filter (where x.stale)::int as stale
       from (select j.queue_name as queue, ${staleLockSql()} as stale from ${s}.jobs j where j.locked_at is not null limit $1) x
       group by 1`,
      [LOCKED_CAP + 1],
    ),
    q.query<{ oldest: number | null }>(
      `select extract(epoch from now() - min(x.run_at))::float8 as oldest
       from (select j.run_at from ${s}.jobs j where j.locked_at is null and j.attempts = 0 and j.run_at <= now() order by j.id limit $1) x`,
      [OLDEST_PROBE],
    ),
    q.query<{ now: Date | string }>("select now() as now"),
  ]);

  const seen = window.reduce((a, r) => a + Number(r.n), 0);
  const capped = seen > SUMMARY_WINDOW;
  const byState: Partial<Record<JobState, number>> = {};
  const queues = new Map<string, SourceQueueSummary & { dead: number; tasks: Map<string, number> }>();
  const queueRow = (name: string | null) => {
    const key = name ?? "";
    let row = queues.get(key);
    if (!row) queues.set(key, (row = { queue: key, pending: 0, running: 0, failed: 0, oldestPendingAgeSeconds: null, note: null, dead: 0, tasks: new Map() }));
    return row;
  };
  let oldestInWindow: number | null = null;
  for (const r of window) {
    if (r.state === "running") continue; // counted from the locked jobs, whose ids are often older than the window
    const n = Number(r.n);
    byState[r.state] = (byState[r.state] ?? 0) + n;
    const row = queueRow(r.queue);
    if (r.state === "pending") row.pending += n;
    else if (r.state === "failed") row.failed += n;
    else if (r.state === "dead") row.dead += n;
    row.tasks.set(r.kind, (row.tasks.get(r.kind) ?? 0) + n);
    if (r.oldest !== null) {
      const age = Math.max(0, Number(r.oldest));
      row.oldestPendingAgeSeconds = Math.max(row.oldestPendingAgeSeconds ?? 0, age);
      oldestInWindow = Math.max(oldestInWindow ?? 0, age);
    }
  }
  const lockedTotal = locked.reduce((a, r) => a + Number(r.n), 0);
  for (const r of locked) queueRow(r.queue).running += Number(r.n);

  const count = (state: JobState): CappedCount => ({ value: byState[state] ?? 0, capped: capped });
  const oldest = capped ? (probe?.oldest == null ? oldestInWindow : Math.max(0, Number(probe.oldest))) : oldestInWindow;
  const scope = capped ? ` (counted over the newest ${fmt(SUMMARY_WINDOW)} jobs)` : "";
  return {
    asOf: new Date(clock.now).toISOString(),
    counts: {
      pending: count("pending"),
      running: lockedTotal > LOCKED_CAP ? { value: LOCKED_CAP, capped: true } : { value: lockedTotal, capped: false },
      failed: count("failed"),
      dead: count("dead"),
    },
    oldestPendingAgeSeconds: oldest,
    failedLastHour: null,
    completedLastHour: null,
    workers: null,
    stale: locked.reduce((a, r) => a + Number(r.stale), 0),
    queues: [...queues.values()]
      .sort((a, b) => (a.queue === "" ? 1 : b.queue === "" ? -1 : a.queue.localeCompare(b.queue)))
      .map(({ dead, tasks, ...row }) => ({ ...row, note: queueNote(row.queue, dead, tasks, scope) })),
  };
}

function queueNote(queue: string, dead: number, tasks: Map<string, number>, scope: string): string {
  const top = [...tasks].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const parts = [
    queue === "" ? "jobs outside a named queue (run in parallel)" : "named queue: one job at a time",
    ...(dead ? [`${fmt(dead)} permanently failed`] : []),
    ...(top.length ? [`tasks: ${top.map(([k, n]) => `${k} ${fmt(n)}`).join(", ")}${tasks.size > top.length ? ", …" : ""}`] : []),
  ];
  return parts.join("; ") + scope;
}
