// One Celery task in full: every field of its row (args, kwargs and result as Celery's repr text;
// the real argument values beside them when known), its events as timeline and attempts, the
// tasks it is linked to (root, parent, the task it re-sent, the task it was re-sent as), whether
// its worker is alive, and the one-sentence hint of what to do.
import type { Sql } from "../../../db/client";
import type { SourceJobDetail } from "../types";
import { attemptsOf, readTaskEvents, timelineOf } from "./events";
import { celeryRecoveryHint } from "./hints";
import { parseCeleryKey } from "./keys";
import { iso, ROW_COLUMNS, type TaskRow, toSourceJob } from "./rows";
import { FACT_COLUMNS, retryPlan, type TaskFacts } from "./rules";
import { jobdeckState } from "./states";
import { OFFLINE_SINCE_SQL, ONLINE_SQL } from "./workers";

type DetailRow = TaskRow &
  TaskFacts & {
    result: string | null;
    exception: string | null;
    traceback: string | null;
    expires: Date | null;
    root_id: string | null;
    parent_id: string | null;
    retry_of: string | null;
    received_at: Date | null;
    runtime: number | null;
    signal: string | null;
    state_at: Date | null;
    first_seen_at: Date;
    args_values: unknown;
    kwargs_values: unknown;
    worker_online: boolean | null;
    worker_offline_since: Date | null;
    now: Date;
  };

/** Audit rows naming this task: a revoke sent from Jobdeck, the tasks it was re-sent as. */
async function fromAudit(q: Sql, source: string, key: string): Promise<{ revokeSent: boolean; retriedAs: string[] }> {
  const rows = await q.query<{ action: string; affected: number; new_id: string | null }>(
    `select action, affected, details->'retried_as'->>$2 as new_id from audit_events
     where source = $1 and target_keys @> array[$2]::text[] and outcome in ('ok', 'partial') order by id desc limit 200`,
    [source, key],
  );
  return {
    revokeSent: rows.some((r) => r.action.endsWith(".cancel") && Number(r.affected) > 0),
    retriedAs: [...new Set(rows.map((r) => r.new_id).filter((x): x is string => !!x))],
  };
}

export async function getCeleryTask(q: Sql, source: string, raw: string): Promise<SourceJobDetail | null> {
  const key = parseCeleryKey(raw);
  if (key === null) return null;
  const [r] = await q.query<DetailRow>(
    `select ${ROW_COLUMNS}, ${FACT_COLUMNS}, t.result, t.exception, t.traceback, t.expires, t.root_id, t.parent_id, t.retry_of, t.received_at,
       t.runtime, t.signal, t.state_at, t.first_seen_at, t.args_json as args_values, t.kwargs_json as kwargs_values,
       ${ONLINE_SQL} as worker_online, ${OFFLINE_SINCE_SQL} as worker_offline_since, now() as now
     from celery_tasks t left join celery_workers w on w.source = t.source and w.hostname = t.worker
     where t.source = $1 and t.task_id = $2`,
    [source, key],
  );
  if (!r) return null;
  const [events, audit] = await Promise.all([readTaskEvents(q, source, key), fromAudit(q, source, key)]);
  const related = [r.root_id, r.parent_id, r.retry_of, ...audit.retriedAs].filter((k): k is string => !!k && k !== key);
  const others = related.length
    ? new Map((await q.query<{ key: string; name: string | null; state: string }>("select task_id as key, name, state from celery_tasks where source = $1 and task_id = any($2::text[])", [source, related])).map((x) => [x.key, x]))
    : new Map<string, { key: string; name: string | null; state: string }>();
  const link = (label: string, k: string) => ({ label, key: k, kind: others.get(k)?.name ?? null, state: others.has(k) ? jobdeckState(others.get(k)!.state) : null });
  const links = [
    ...(r.root_id && r.root_id !== key && r.root_id !== r.parent_id ? [link("root", r.root_id)] : []),
    ...(r.parent_id ? [link("parent", r.parent_id)] : []),
    ...(r.retry_of ? [link("re-sent from (retry of)", r.retry_of)] : []),
    ...audit.retriedAs.map((k) => link("re-sent as (retried as)", k)),
  ];

  const job = { ...toSourceJob(r), cancelRequested: audit.revokeSent };
  const attempts = attemptsOf(events);
  const parent = r.parent_id ? others.get(r.parent_id) : undefined;
  const workerOnline = r.worker ? r.worker_online : null;
  const isStale = (r.state === "STARTED" || r.state === "RECEIVED") && workerOnline === false;
  const plan = retryPlan(r, true);
  const retryExact = "change" in plan;
  const now = new Date(r.now);
  const extra = [
    { label: "Celery state", value: `${r.state}${r.state_at ? ` since ${iso(r.state_at)}` : ""}` },
    { label: "retries", value: String(r.retries) },
    { label: "ETA", value: iso(r.eta) ?? "(none)" },
    { label: "expires", value: iso(r.expires) ?? "(never)" },
    { label: "received at", value: iso(r.received_at) ?? "(not yet)" },
    { label: "runtime (worker)", value: r.runtime === null ? "—" : `${Number(r.runtime).toFixed(3)} s` },
    ...(r.signal ? [{ label: "terminated with", value: r.signal }] : []),
    { label: "arguments", value: r.args_json !== null && r.kwargs_json !== null ? "known as values: retry re-sends them exactly" : "known only as Celery's repr text" },
    { label: "first seen by Jobdeck", value: iso(r.first_seen_at)! },
  ];
  return {
    job: {
      ...job,
      payload: { args: r.args, kwargs: r.kwargs, ...(r.args_json !== null ? { args_json: r.args_values } : {}), ...(r.kwargs_json !== null ? { kwargs_json: r.kwargs_values } : {}) },
      result: r.result,
      lastError: r.traceback ?? r.exception,
      progress: null,
      progressMessage: null,
      heartbeatAt: null,
    },
    now: now.toISOString(),
    isStale,
    canRetry: retryExact && r.state !== "SUCCESS",
    recoveryHint: celeryRecoveryHint({
      state: r.state,
      name: r.name,
      queue: r.queue,
      worker: r.worker,
      workerOnline,
      workerOfflineSince: iso(r.worker_offline_since),
      eta: iso(r.eta),
      nowMs: now.getTime(),
      startedAt: iso(r.started_at),
      exception: r.exception,
      retryExact,
      retryWhyNot: "skip" in plan ? plan.skip : null,
      revokeSent: audit.revokeSent,
    }),
    workerOnline,
    attempts,
    attemptsTotal: attempts.length,
    extra,
    timeline: timelineOf(events),
    links,
    campaign: null,
    parent: parent ? { key: parent.key, kind: parent.name ?? "(unknown task)", state: jobdeckState(parent.state) } : null,
    children: { byState: {}, total: 0 },
  };
}
