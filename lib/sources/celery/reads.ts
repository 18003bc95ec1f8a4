// Task lists and capped counts of a Celery source: newest first (the order the bridge first saw
// the tasks), keyset cursors both ways, every filter applied in SQL (./criteria, ./scan).
import type { Sql } from "../../../db/client";
import { type JobCriteria, JobFilterError, MAX_JOB_LIST_LIMIT } from "../../filters/job-filter";
import type { CappedCount, SourceJobsPage, SourceListQuery } from "../types";
import { pusher } from "./criteria";
import { decodeCursor, encodeCursor } from "./keys";
import { ROW_COLUMNS, type TaskRow, toSourceJob } from "./rows";
import { type ScanCursor, scanSql } from "./scan";

async function page(q: Sql, source: string, criteria: JobCriteria, limit: number, cursor: ScanCursor): Promise<TaskRow[]> {
  const params: unknown[] = [];
  const rows = await q.query<TaskRow>(scanSql(source, criteria, pusher(params), ROW_COLUMNS, cursor, limit), params);
  return cursor.after !== undefined ? rows.reverse() : rows;
}

function checkQuery(query: SourceListQuery): void {
  const n = query.limit;
  const message = `limit must be a whole number from 1 to ${MAX_JOB_LIST_LIMIT}`;
  if (!Number.isInteger(n) || n < 1 || n > MAX_JOB_LIST_LIMIT) throw new JobFilterError(message, [{ field: "limit", message }]);
  if (query.before !== undefined && query.after !== undefined) throw new JobFilterError("give before (next page) or after (previous page), not both", [{ field: "after", message: "give before or after, not both" }]);
}

/** One page, newest first: `before` gives the older page, `after` the newer one (the first page once it reaches the newest). */
export async function listCeleryTasks(q: Sql, source: string, query: SourceListQuery): Promise<SourceJobsPage> {
  checkQuery(query);
  const n = query.limit;
  if (query.after !== undefined) {
    const rows = await page(q, source, query.criteria, n + 1, { after: decodeCursor(query.after, "after") });
    if (rows.length <= n) return listCeleryTasks(q, source, { criteria: query.criteria, limit: n });
    const jobs = rows.slice(1).map(toSourceJob); // the newest belongs to an even newer page
    return { jobs, next: encodeCursor(rows[rows.length - 1].seq), prev: encodeCursor(rows[1].seq) };
  }
  const before = query.before === undefined ? undefined : decodeCursor(query.before, "before");
  const rows = await page(q, source, query.criteria, n + 1, { before });
  const kept = rows.slice(0, n);
  const prev = before === undefined ? null : encodeCursor(kept.length ? kept[0].seq : String(BigInt(before) - 1n));
  return { jobs: kept.map(toSourceJob), next: rows.length > n ? encodeCursor(kept[kept.length - 1].seq) : null, prev };
}

/** Matching tasks, counting at most `cap` + 1 rows along the same walk. */
export async function countCeleryTasks(q: Sql, source: string, criteria: JobCriteria, cap: number): Promise<CappedCount> {
  const params: unknown[] = [];
  const [row] = await q.query<{ n: number }>(`select count(*)::int as n from (${scanSql(source, criteria, pusher(params), "1", {}, cap + 1)}) x`, params);
  const n = Number(row?.n ?? 0);
  return n > cap ? { value: cap, capped: true } : { value: n, capped: false };
}
