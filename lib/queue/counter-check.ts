// The counters' drift check: compares job_counts and campaign_job_counts (plus unfolded deltas)
// with count(*) over jobs and repairs any difference. Why: the counters are exact by construction
// (lib/queue/counters.ts), but a hand edit, a restore or a bug must not leave a wrong number on
// the overview for ever. Truth and counters are read in ONE statement (one snapshot), and the
// repair ADDS (truth − counted) to the totals: a transition committed meanwhile changes both
// sides alike, and a fold running meanwhile only moves deltas into totals, so the repair stays right.
// It scans the table, so the maintenance loop runs it rarely (JOBDECK_COUNTER_CHECK_MINUTES).
import type { Database, Sql } from "../../db/client";

export const COUNTER_CHECK_LOCK_KEY = 7_311_290_446;

export interface CounterDrift {
  /** (queue, kind, state) for job counts; (campaign id, batch|item, state) for campaign counts. */
  what: string;
  counted: number;
  actual: number;
}

function driftSql(truth: string, totals: string, keys: string[], notNull = ""): string {
  const k = keys.join(", ");
  return `with truth as (${truth}),
    counted as (select ${k}, sum(n) as n from (
      select ${k}, n from ${totals} union all select ${k}, n from job_count_deltas ${notNull}) c group by ${k}),
    diff as (
      select ${keys.map((c) => `coalesce(t.${c}, c.${c}) as ${c}`).join(", ")},
        coalesce(c.n, 0)::bigint as counted, coalesce(t.n, 0)::bigint as actual
      from truth t full join counted c using (${k}) where coalesce(t.n, 0) <> coalesce(c.n, 0)),
    fix as (
      insert into ${totals} (${k}, n) select ${k}, actual - counted from diff
      on conflict (${k}) do update set n = ${totals}.n + excluded.n)
    select * from diff`;
}

const JOB_DRIFT_SQL = driftSql("select queue, kind, state, count(*) as n from jobs group by queue, kind, state", "job_counts", ["queue", "kind", "state"]);
const CAMPAIGN_DRIFT_SQL = driftSql(
  `select campaign_id, parent_id is not null as child, state, count(*) as n from jobs
   where campaign_id is not null group by campaign_id, parent_id is not null, state`,
  "campaign_job_counts",
  ["campaign_id", "child", "state"],
  "where campaign_id is not null",
);

/** Compares and repairs; returns what was wrong (empty when the counters were exact). */
export async function checkJobCounters(q: Sql): Promise<CounterDrift[]> {
  const jobs = await q.query<{ queue: string; kind: string; state: string; counted: number; actual: number }>(JOB_DRIFT_SQL);
  const campaigns = await q.query<{ campaign_id: number; child: boolean; state: string; counted: number; actual: number }>(CAMPAIGN_DRIFT_SQL);
  // Totals at zero are kept by folds (a state that empties often refills); drop them here, rarely.
  await q.query("delete from job_counts where n = 0");
  await q.query("delete from campaign_job_counts where n = 0");
  return [
    ...jobs.map((r) => ({ what: `${r.queue}/${r.kind}/${r.state}`, counted: Number(r.counted), actual: Number(r.actual) })),
    ...campaigns.map((r) => ({
      what: `campaign ${r.campaign_id}/${r.child ? "item" : "batch"}/${r.state}`,
      counted: Number(r.counted),
      actual: Number(r.actual),
    })),
  ];
}

export function counterCheckMinutes(): number {
  const raw = Number(process.env.JOBDECK_COUNTER_CHECK_MINUTES ?? 60);
  return Number.isFinite(raw) && raw > 0 ? raw : 60;
}

/**
 * The check under its lock, at most once per `everyMinutes` across every process (the time of
 * the last check is kept in job_counter_checks); `null` when it was not due or another process
 * held the lock.
 */
export async function checkCountersOnce(db: Database, everyMinutes = counterCheckMinutes()): Promise<CounterDrift[] | null> {
  return db.tx(async (q) => {
    const [{ locked }] = await q.query<{ locked: boolean }>("select pg_try_advisory_xact_lock($1) as locked", [COUNTER_CHECK_LOCK_KEY]);
    if (!locked) return null;
    const [due] = await q.query<{ due: boolean }>(
      "select coalesce(bool_and(checked_at <= now() - make_interval(secs => $1)), true) as due from job_counter_checks",
      [everyMinutes * 60],
    );
    if (!due.due) return null;
    // It scans jobs on purpose (rarely, in the background): not subject to a read timeout.
    await q.query("set local statement_timeout = 0");
    const drift = await checkJobCounters(q);
    await q.query(
      `insert into job_counter_checks (id, checked_at, drifted) values (1, now(), $1)
       on conflict (id) do update set checked_at = excluded.checked_at, drifted = excluded.drifted`,
      [drift.length],
    );
    return drift;
  });
}
