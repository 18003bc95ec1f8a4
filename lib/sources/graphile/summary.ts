// The overview of a graphile-worker source. graphile-worker keeps no counters, so counting means
// reading rows. Waiting jobs (most of a backlog) are counted over the newest SUMMARY_WINDOW
// jobs (exact when the table holds no more, "at least" otherwise); locked, failed and dead jobs
// wherever they are, at most ROWS_CAP each (without the opt-in indexes of the README, finding
// them reads the whole table: ~1 s at a million jobs, hence the source's 5 s cache); the oldest
// wait from the oldest ids. No failure or completion history exists to count.
import type { Sql } from "../../../db/client";
import type { JobState } from "../../queue/state-machine";
import type { CappedCount, SourceQueueSummary, SourceSummary } from "../types";
import { quoteIdent } from "./schema";
import { staleLockSql, stateSql } from "./states";

export const SUMMARY_WINDOW = 100_000;
/** Locked, and failed or dead, jobs counted at most (each: "at least" beyond). */
const ROWS_CAP = 100_000;
/** How many of the oldest waiting jobs the oldest-wait probe looks at when the window is capped. */
const OLDEST_PROBE = 1_000;

interface GroupRow {
  state: JobState;
  queue: string | null;
  kind: string;
  n: number;
  stale: number;
  oldest: number | null;
}

const fmt = (n: number) => n.toLocaleString("en-US");

export async function graphileSummary(q: Sql, schema: string, window = SUMMARY_WINDOW): Promise<SourceSummary> {
  const s = quoteIdent(schema);
  const grouped = (from: string) =>
    `select x.state, x.queue, x.kind, count(*)::int as n, count(*) filter (where x.stale)::int as stale,
       extract(epoch from now() - min(x.run_at) filter (where x.state = 'pending' and x.run_at <= now()))::float8 as oldest
     from (select ${stateSql()} as state, j.queue_name as queue, j.task_identifier as kind, j.run_at, coalesce(${staleLockSql()}, false) as stale ${from}) x
     group by 1, 2, 3`;
  const [pending, locked, attempted, [probe], [clock]] = await Promise.all([
    // Never-attempted jobs are most of a backlog: counted over the newest ids.
    q.query<GroupRow>(grouped(`from ${s}.jobs j order by j.id desc limit $1`), [window]),
    // Locked, failed and dead jobs are few and often old (a backlog runs oldest first): found wherever they are.
    q.query<GroupRow>(grouped(`from ${s}.jobs j where j.locked_at is not null limit $1`), [ROWS_CAP + 1]),
    q.query<GroupRow>(grouped(`from ${s}.jobs j where j.locked_at is null and j.attempts > 0 limit $1`), [ROWS_CAP + 1]),
    q.query<{ oldest: number | null }>(
      `select extract(epoch from now() - min(x.run_at))::float8 as oldest
       from (select j.run_at from ${s}.jobs j where j.locked_at is null and j.attempts = 0 and j.run_at <= now() order by j.id limit $1) x`,
      [OLDEST_PROBE],
    ),
    q.query<{ now: Date | string }>("select now() as now"),
  ]);

  const total = (rows: GroupRow[]) => rows.reduce((a, r) => a + Number(r.n), 0);
  const windowCapped = total(pending) >= window;
  const lockedCapped = total(locked) > ROWS_CAP;
  const attemptedCapped = total(attempted) > ROWS_CAP;
  const byState: Partial<Record<JobState, number>> = {};
  const queues = new Map<string, SourceQueueSummary & { dead: number; tasks: Map<string, number> }>();
  const queueRow = (name: string | null) => {
    const key = name ?? "";
    let row = queues.get(key);
    if (!row) queues.set(key, (row = { queue: key, pending: 0, running: 0, failed: 0, oldestPendingAgeSeconds: null, note: null, dead: 0, tasks: new Map() }));
    return row;
  };
  let oldestInWindow: number | null = null;
  let stale = 0;
  const absorb = (r: GroupRow) => {
    const n = Number(r.n);
    byState[r.state] = (byState[r.state] ?? 0) + n;
    const row = queueRow(r.queue);
    if (r.state === "pending") row.pending += n;
    else if (r.state === "running") row.running += n;
    else if (r.state === "failed") row.failed += n;
    else if (r.state === "dead") row.dead += n;
    row.tasks.set(r.kind, (row.tasks.get(r.kind) ?? 0) + n);
    stale += Number(r.stale);
    if (r.oldest !== null) {
      const age = Math.max(0, Number(r.oldest));
      row.oldestPendingAgeSeconds = Math.max(row.oldestPendingAgeSeconds ?? 0, age);
      oldestInWindow = Math.max(oldestInWindow ?? 0, age);
    }
  };
  for (const r of pending) if (r.state === "pending") absorb(r);
  for (const r of locked) absorb(r);
  for (const r of attempted) absorb(r);

  const count = (state: JobState, capped: boolean): CappedCount => ({ value: Math.min(byState[state] ?? 0, capped ? ROWS_CAP : Infinity), capped });
  const scope = windowCapped ? ` (waiting jobs counted over the newest ${fmt(window)} jobs)` : "";
  return {
    asOf: new Date(clock.now).toISOString(),
    counts: {
      pending: { value: byState.pending ?? 0, capped: windowCapped },
      running: count("running", lockedCapped),
      failed: count("failed", attemptedCapped),
      dead: count("dead", attemptedCapped),
    },
    oldestPendingAgeSeconds: windowCapped && probe?.oldest != null ? Math.max(0, Number(probe.oldest)) : oldestInWindow,
    failedLastHour: null,
    completedLastHour: null,
    workers: null,
    stale,
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
