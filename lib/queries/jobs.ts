// Job lists: one filter (lib/filters/job-filter) turned into parameterized SQL, newest id first,
// with a keyset cursor (`beforeId`) so every page is an index range scan, never an OFFSET.
// Shared by the CLI, the pages and the API. No `import "server-only"` here: the CLI (plain
// Node) imports this module too, and that marker package throws outside React server builds.
import type { Sql } from "../../db/client";
import type { JobFilter } from "../filters/job-filter";
import type { JobState } from "../queue/state-machine";

export interface JobListRow {
  id: number;
  kind: string;
  queue: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  priority: number;
  payload: unknown;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Date | null;
  created_at: Date;
  run_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  campaign_id: number | null;
}

export interface JobListPage {
  jobs: JobListRow[];
  /** Pass as `beforeId` for the next page; null on the last page. */
  nextBeforeId: number | null;
}

/** The WHERE clause of a filter (without cursor or limit); pushes its values onto `params`. */
export function jobFilterWhere(filter: Omit<JobFilter, "limit" | "beforeId">, params: unknown[]): string {
  const where: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (filter.states.length === 1) where.push(`j.state = ${p(filter.states[0])}`);
  else if (filter.states.length > 1) where.push(`j.state = any(${p(filter.states)}::text[])`);
  if (filter.kind !== undefined) where.push(`j.kind = ${p(filter.kind)}`);
  if (filter.queue !== undefined) where.push(`j.queue = ${p(filter.queue)}`);
  if (filter.sinceSeconds !== undefined) {
    // "Updated within": the latest of the times a job records (finished, started, created).
    where.push(`coalesce(j.finished_at, j.started_at, j.created_at) >= now() - make_interval(secs => ${p(filter.sinceSeconds)})`);
  }
  if (filter.errorPrefix !== undefined) where.push(`starts_with(j.last_error, ${p(filter.errorPrefix)})`);
  return where.length ? where.join(" and ") : "true";
}

const LIST_COLUMNS = `j.id, j.kind, j.queue, j.state, j.attempts, j.max_attempts, j.priority, j.payload,
  j.last_error, j.locked_by, j.locked_until, j.created_at, j.run_at, j.started_at, j.finished_at, j.campaign_id`;

/** One page of jobs matching the filter, newest id first. */
export async function listJobs(q: Sql, filter: JobFilter): Promise<JobListPage> {
  const params: unknown[] = [];
  let where = jobFilterWhere(filter, params);
  if (filter.beforeId !== undefined) {
    params.push(filter.beforeId);
    where += ` and j.id < $${params.length}`;
  }
  params.push(filter.limit + 1);
  const rows = await q.query<JobListRow>(
    `select ${LIST_COLUMNS} from jobs j where ${where} order by j.id desc limit $${params.length}`,
    params,
  );
  const more = rows.length > filter.limit;
  const jobs = more ? rows.slice(0, filter.limit) : rows;
  return { jobs, nextBeforeId: more ? jobs[jobs.length - 1].id : null };
}

/**
 * Ids of the jobs matching the filter, newest first, at most `filter.limit`: the input of a
 * bulk action on "everything matching this filter" (walk pages with `beforeId`).
 */
export async function selectJobIds(q: Sql, filter: JobFilter): Promise<number[]> {
  const params: unknown[] = [];
  let where = jobFilterWhere(filter, params);
  if (filter.beforeId !== undefined) {
    params.push(filter.beforeId);
    where += ` and j.id < $${params.length}`;
  }
  params.push(filter.limit);
  const rows = await q.query<{ id: number }>(
    `select j.id from jobs j where ${where} order by j.id desc limit $${params.length}`,
    params,
  );
  return rows.map((r) => r.id);
}
