// Jobdeck's job filter (JobCriteria) as SQL over graphile-worker's `jobs` view (alias `j`), and
// what it cannot filter on, with why. graphile-worker indexes only what its workers need (the
// id, job_key, and the ready-to-run partial indexes), so every filter here is evaluated along
// the id index in keyset order (./scan): a page stops after `limit` matches, a rare match walks
// further (bounded by the statement timeout), and the costly payload test sees a bounded window.
import type { JobCriteria, TimeBound } from "../../filters/job-filter";
import type { FilterField, UnsupportedFilters } from "../types";
import { quoteIdent } from "./schema";
import { statesConditionSql } from "./states";

export const UNSUPPORTED_FILTERS: UnsupportedFilters = {
  finishedSince: "graphile-worker deletes completed jobs and records no finish time",
  finishedUntil: "graphile-worker deletes completed jobs and records no finish time",
  campaignId: "campaigns are Jobdeck's own: graphile-worker jobs belong to none",
};

/** Supported fields whose meaning differs from Jobdeck's own queue. */
export const FILTER_NOTES: Partial<Record<FilterField, string>> = {
  kind: "the task identifier",
  queue: "the named queue (queue_name); jobs outside a named queue have none",
  worker: "the worker pool holding the lock (locked_by): matches running jobs only, since graphile-worker forgets who ran a job once its lock is released",
  sinceSeconds: "created, changed by an admin function, or locked within the window (graphile-worker records no failure or finish time)",
  payloadContains: "the payload is json, read from graphile-worker's private jobs table and cast to jsonb per row: each page tests at most 20,000 jobs (that pass the other filters), so a rare match can take several pages, some of them empty",
};

export type Push = (v: unknown) => string;

export function pusher(params: unknown[]): Push {
  return (v) => {
    params.push(v);
    return `$${params.length}`;
  };
}

function boundSql(b: TimeBound, p: Push, now: () => string): string {
  return "ago" in b ? `${now()} - make_interval(secs => ${p(b.ago)})` : `${p(b.at.toISOString())}::timestamptz`;
}

export interface CriteriaSql {
  /** Conditions cheap enough to test on every row a scan passes (states included). */
  conds: string[];
  /** The payload condition (a json → jsonb parse per row), or null: tested within a bounded window (./scan). Pushes its parameter when called. */
  payload: (() => string) | null;
}

/**
 * The conditions of `criteria` over `j`. Relative bounds count back from now(), or from
 * `frozenNow` (an instant) so every batch of a bulk walk sees one window.
 */
export function criteriaSql(criteria: JobCriteria, p: Push, schema: string, frozenNow?: string): CriteriaSql {
  // Pushed only when a relative bound uses it: an unused parameter has no type.
  let nowSql: string | null = null;
  const now = () => (nowSql ??= frozenNow === undefined ? "now()" : `${p(frozenNow)}::timestamptz`);
  const where: string[] = [];
  const states = statesConditionSql(criteria.states);
  if (states) where.push(states);
  if (criteria.id !== undefined) where.push(`j.id = ${p(String(criteria.id))}::bigint`);
  if (criteria.kind !== undefined) where.push(`j.task_identifier = ${p(criteria.kind)}`);
  if (criteria.queue !== undefined) where.push(`j.queue_name = ${p(criteria.queue)}`);
  if (criteria.worker !== undefined) where.push(`j.locked_by = ${p(criteria.worker)}`);
  if (criteria.sinceSeconds !== undefined) where.push(`greatest(j.created_at, j.updated_at, j.locked_at) >= ${now()} - make_interval(secs => ${p(criteria.sinceSeconds)})`);
  if (criteria.createdSince) where.push(`j.created_at >= ${boundSql(criteria.createdSince, p, now)}`);
  if (criteria.createdUntil) where.push(`j.created_at < ${boundSql(criteria.createdUntil, p, now)}`);
  if (criteria.errorPrefix !== undefined) where.push(`starts_with(j.last_error, ${p(criteria.errorPrefix)})`);
  if (criteria.errorContains !== undefined) where.push(`strpos(lower(j.last_error), lower(${p(criteria.errorContains)})) > 0`);
  // The jobs view has no payload column; the private table is read (never written) by id.
  const payload =
    criteria.payloadContains === undefined
      ? null
      : () => `(select pj.payload from ${quoteIdent(schema)}._private_jobs pj where pj.id = j.id)::jsonb @> ${p(JSON.stringify(criteria.payloadContains))}::jsonb`;
  return { conds: where, payload };
}

export function whereSql(conds: string[]): string {
  return conds.length ? conds.join(" and ") : "true";
}
