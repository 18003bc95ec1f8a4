// Jobdeck's job filter (JobCriteria) as SQL over celery_tasks (alias `t`), what it cannot filter
// on and why, and what the filters it applies mean for Celery. The table is Jobdeck's own (the
// bridge fills it), indexed by (source, seq), (source, state, seq), (source, name, seq) and
// (source, worker, state): states and task names walk an index in list order; the other
// conditions are tested row by row along it, under the read's statement timeout.
import { pyRepr } from "../../celery/control/py-repr";
import type { JobCriteria, TimeBound } from "../../filters/job-filter";
import type { FilterField, UnsupportedFilters } from "../types";

export const UNSUPPORTED_FILTERS: UnsupportedFilters = {
  id: "Celery task ids are uuids, not numbers: open a task by its id (/jobs/<task id>?source=NAME)",
  campaignId: "campaigns are Jobdeck's own: Celery tasks belong to none",
};

export const FILTER_NOTES: Partial<Record<FilterField, string>> = {
  kind: "the task name (fixture.add)",
  queue: "the queue its task-sent event named; a task seen only through worker events (task_send_sent_event off) has none",
  worker: "the worker (celery@host) that received or ran it",
  sinceSeconds: "first seen, received, started or finished within the window",
  createdSince: "when it was first seen: sent, or received when the app sends no task-sent events",
  createdUntil: "when it was first seen: sent, or received when the app sends no task-sent events",
  finishedSince: "when it succeeded, failed, was revoked or rejected",
  finishedUntil: "when it succeeded, failed, was revoked or rejected",
  errorPrefix: "the start of Celery's exception text, like ValueError('boom')",
  errorContains: "text in the exception or its traceback (any case)",
  payloadContains:
    "Celery's events carry the arguments only as repr text, so this is a text search in it: an array matches tasks whose args repr holds each element's Python repr ([\"a\", 2] → 'a' and 2), an object tasks whose kwargs repr holds each 'key': value ({\"user_id\": 42} → 'user_id': 42); case-sensitive",
};

export type Push = (v: unknown) => string;

export function pusher(params: unknown[]): Push {
  return (v) => {
    params.push(v);
    return `$${params.length}`;
  };
}

/** When Jobdeck first knew of the task (least() skips nulls). */
export const CREATED_SQL = "least(t.first_seen_at, t.received_at, t.started_at, t.finished_at)";

function boundSql(b: TimeBound, p: Push): string {
  return "ago" in b ? `now() - make_interval(secs => ${p(b.ago)})` : `${p(b.at.toISOString())}::timestamptz`;
}

/** The texts a payload filter looks for: [column, needle] pairs, every one of which must be found. */
export function payloadNeedles(payload: unknown): ["args" | "kwargs", string][] {
  if (Array.isArray(payload)) return payload.map((v) => ["args", pyRepr(v)]);
  if (payload && typeof payload === "object") return Object.entries(payload as Record<string, unknown>).map(([k, v]) => ["kwargs", `${pyRepr(k)}: ${pyRepr(v)}`]);
  return [];
}

/** The conditions of `criteria` over `t`, states excepted (the scan walks one state at a time: ./scan). */
export function criteriaSql(criteria: JobCriteria, p: Push): string[] {
  const where: string[] = [];
  if (criteria.kind !== undefined) where.push(`t.name = ${p(criteria.kind)}`);
  if (criteria.queue !== undefined) where.push(`t.queue = ${p(criteria.queue)}`);
  if (criteria.worker !== undefined) where.push(`t.worker = ${p(criteria.worker)}`);
  if (criteria.sinceSeconds !== undefined) {
    where.push(`greatest(t.first_seen_at, t.received_at, t.started_at, t.finished_at) >= now() - make_interval(secs => ${p(criteria.sinceSeconds)})`);
  }
  if (criteria.createdSince) where.push(`${CREATED_SQL} >= ${boundSql(criteria.createdSince, p)}`);
  if (criteria.createdUntil) where.push(`${CREATED_SQL} < ${boundSql(criteria.createdUntil, p)}`);
  if (criteria.finishedSince) where.push(`t.finished_at >= ${boundSql(criteria.finishedSince, p)}`);
  if (criteria.finishedUntil) where.push(`t.finished_at < ${boundSql(criteria.finishedUntil, p)}`);
  if (criteria.errorPrefix !== undefined) where.push(`starts_with(t.exception, ${p(criteria.errorPrefix)})`);
  if (criteria.errorContains !== undefined) {
    where.push(`strpos(lower(coalesce(t.exception, '') || E'\\n' || coalesce(t.traceback, '')), lower(${p(criteria.errorContains)})) > 0`);
  }
  if (criteria.payloadContains !== undefined) {
    for (const [column, needle] of payloadNeedles(criteria.payloadContains)) where.push(`strpos(t.${column}, ${p(needle)}) > 0`);
  }
  return where;
}
