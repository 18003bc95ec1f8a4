// The overview of a Celery source, at a cost that does not grow with the history: each Celery
// state is counted along its (source, state, seq) index up to COUNT_CAP ("at least" beyond);
// the queues and task names of in-flight tasks are grouped over at most COUNT_CAP rows per
// state; the last hour's completed and failed tasks are counted among the newest WINDOW tasks of
// those states (a burst of more than WINDOW finished tasks in an hour is reported as WINDOW).
import type { Sql } from "../../../db/client";
import type { JobState } from "../../queue/state-machine";
import type { CappedCount, SourceQueueSummary, SourceSummary } from "../types";
import { CELERY_STATES, type CeleryState, TO_JOBDECK } from "./states";
import { countCeleryStale, ONLINE_SQL } from "./workers";

export const COUNT_CAP = 100_000;
const WINDOW = 100_000;
const OLDEST_PROBE = 200;
const IN_QUEUE: CeleryState[] = ["PENDING", "RECEIVED", "STARTED", "RETRY"];

const fmt = (n: number) => n.toLocaleString("en-US");

export async function celerySummary(q: Sql, source: string): Promise<SourceSummary> {
  const counts = await Promise.all(
    CELERY_STATES.map(async (state) => {
      const [r] = await q.query<{ n: number }>(`select count(*)::int as n from (select 1 from celery_tasks t where t.source = $1 and t.state = $2 limit ${COUNT_CAP + 1}) x`, [source, state]);
      return { state, n: Number(r.n) };
    }),
  );
  const groups = await q.query<{ state: CeleryState; queue: string | null; name: string | null; n: number }>(
    `select x.state, x.queue, x.name, count(*)::int as n from (
       ${IN_QUEUE.map((_, i) => `(select t.state, t.queue, t.name from celery_tasks t where t.source = $1 and t.state = $${i + 2} order by t.seq desc limit ${COUNT_CAP})`).join(" union all ")}
     ) x group by 1, 2, 3`,
    [source, ...IN_QUEUE],
  );
  // The oldest waiting tasks (lowest seq) that are due: their wait started when first seen, or at their ETA.
  const oldest = await q.query<{ queue: string | null; age: number }>(
    `select x.queue, extract(epoch from now() - greatest(x.seen, coalesce(x.eta, '-infinity')))::float8 as age from (
       (select t.queue, least(t.first_seen_at, t.received_at) as seen, t.eta from celery_tasks t where t.source = $1 and t.state = 'PENDING' order by t.seq limit ${OLDEST_PROBE})
       union all
       (select t.queue, least(t.first_seen_at, t.received_at) as seen, t.eta from celery_tasks t where t.source = $1 and t.state = 'RECEIVED' order by t.seq limit ${OLDEST_PROBE})
     ) x where coalesce(x.eta, now()) <= now()`,
    [source],
  );
  const [hour] = await q.query<{ completed: number; failed: number; now: Date }>(
    `select
       (select count(*) from (select t.finished_at from celery_tasks t where t.source = $1 and t.state = 'SUCCESS' order by t.seq desc limit ${WINDOW}) x where x.finished_at >= now() - interval '1 hour')::int as completed,
       (select count(*) from (
          (select t.finished_at from celery_tasks t where t.source = $1 and t.state = 'FAILURE' order by t.seq desc limit ${WINDOW})
          union all (select t.finished_at from celery_tasks t where t.source = $1 and t.state = 'REJECTED' order by t.seq desc limit ${WINDOW})
        ) x where x.finished_at >= now() - interval '1 hour')::int as failed,
       now() as now`,
    [source],
  );
  const [workers] = await q.query<{ online: number; offline: number }>(
    `select count(*) filter (where ${ONLINE_SQL})::int as online, count(*) filter (where not ${ONLINE_SQL})::int as offline from celery_workers w where w.source = $1`,
    [source],
  );
  const stale = await countCeleryStale(q, source);

  const byState: Partial<Record<JobState, CappedCount>> = {};
  for (const { state, n } of counts) {
    const c = (byState[TO_JOBDECK[state]] ??= { value: 0, capped: false });
    c.value += Math.min(n, COUNT_CAP);
    c.capped ||= n > COUNT_CAP;
  }
  const queues = new Map<string, SourceQueueSummary & { names: Map<string, number> }>();
  for (const g of groups) {
    const key = g.queue ?? "";
    const row = queues.get(key) ?? { queue: key, pending: 0, running: 0, failed: 0, oldestPendingAgeSeconds: null, note: null, names: new Map<string, number>() };
    queues.set(key, row);
    const n = Number(g.n);
    const s = TO_JOBDECK[g.state];
    if (s === "pending") row.pending += n;
    else if (s === "running") row.running += n;
    else row.failed += n;
    row.names.set(g.name ?? "(unknown task)", (row.names.get(g.name ?? "(unknown task)") ?? 0) + n);
  }
  let oldestAll: number | null = null;
  for (const o of oldest) {
    const age = Math.max(0, Number(o.age));
    oldestAll = Math.max(oldestAll ?? 0, age);
    const row = queues.get(o.queue ?? "");
    if (row) row.oldestPendingAgeSeconds = Math.max(row.oldestPendingAgeSeconds ?? 0, age);
  }
  return {
    asOf: new Date(hour.now).toISOString(),
    counts: byState,
    oldestPendingAgeSeconds: oldestAll,
    failedLastHour: Number(hour.failed),
    completedLastHour: Number(hour.completed),
    workers: { online: Number(workers.online), offline: Number(workers.offline) },
    stale,
    queues: [...queues.values()]
      .sort((a, b) => (a.queue === "" ? 1 : b.queue === "" ? -1 : a.queue.localeCompare(b.queue)))
      .map(({ names, ...row }) => ({ ...row, note: queueNote(row.queue, names) })),
  };
}

/** The queue's busiest task names (Flower's per-name view, in one line). */
function queueNote(queue: string, names: Map<string, number>): string {
  const top = [...names].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const list = top.map(([k, n]) => `${k} ${fmt(n)}`).join(", ") + (names.size > top.length ? ", …" : "");
  return `${queue === "" ? "queue unknown (no task-sent events): " : ""}tasks: ${list}`;
}
