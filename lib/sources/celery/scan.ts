// The one walk over a Celery source's tasks every list, count and bulk action uses: matching rows
// in seq order past a cursor, at most `limit`. With states, one branch per Celery state word,
// each walking the (source, state, seq) index in order and stopping at `limit`, merged: a state
// filter never sorts a whole state's rows (a backlog of a million PENDING tasks included).
import type { JobCriteria } from "../../filters/job-filter";
import { criteriaSql, type Push } from "./criteria";
import { celeryStatesOf } from "./states";

export interface ScanCursor {
  /** Rows older than this seq (the next page), or newer than `after` (the previous one). */
  before?: string;
  after?: string;
}

/** SQL selecting `columns` (over `t`) of the matching tasks of `$source`, newest first (oldest first with `after`). */
export function scanSql(source: string, criteria: JobCriteria, p: Push, columns: string, cursor: ScanCursor, limit: number): string {
  const conds = [`t.source = ${p(source)}`, ...criteriaSql(criteria, p)];
  if (cursor.before !== undefined) conds.push(`t.seq < ${p(cursor.before)}::bigint`);
  if (cursor.after !== undefined) conds.push(`t.seq > ${p(cursor.after)}::bigint`);
  const dir = cursor.after !== undefined ? "asc" : "desc";
  const lim = p(limit);
  const states = criteria.states.length ? celeryStatesOf(criteria.states) : null;
  if (states === null) return `select ${columns} from celery_tasks t where ${conds.join(" and ")} order by t.seq ${dir} limit ${lim}`;
  if (!states.length) return `select ${columns} from celery_tasks t where false`;
  const branches = states.map((s) => `(select t.* from celery_tasks t where ${[...conds, `t.state = ${p(s)}`].join(" and ")} order by t.seq ${dir} limit ${lim})`);
  return `select ${columns} from (${branches.join(" union all ")}) t order by t.seq ${dir} limit ${lim}`;
}
