// Matching jobs in id order, as one SQL statement every read and bulk walk builds on. The cheap
// conditions are tested on each row the id index passes; the payload test (a json → jsonb parse
// per row, ~5 µs) only on the next PAYLOAD_WINDOW rows that pass them, so no statement parses a
// million payloads and runs into the statement timeout. A windowed scan that found too few
// matches reports its far edge, and the caller continues from there (a short or empty page
// with a `next` cursor, a count labelled "at least").
import type { Sql } from "../../../db/client";
import type { JobCriteria } from "../../filters/job-filter";
import { criteriaSql, type Push, pusher, whereSql } from "./criteria";
import { quoteIdent } from "./schema";

export const PAYLOAD_WINDOW = 20_000;

export interface ScanCursor {
  /** Only ids below (newest first). */
  before?: string;
  /** Only ids above (oldest first). */
  after?: string;
  /** The instant relative time bounds count back from (a bulk walk freezes it). */
  frozenNow?: string;
}

function cheapWhere(criteria: JobCriteria, p: Push, schema: string, c: ScanCursor) {
  const { conds, payload } = criteriaSql(criteria, p, schema, c.frozenNow);
  if (c.before !== undefined) conds.push(`j.id < ${p(c.before)}::bigint`);
  if (c.after !== undefined) conds.push(`j.id > ${p(c.after)}::bigint`);
  return { where: whereSql(conds), payload, order: c.after !== undefined ? "asc" : "desc" };
}

/**
 * `select <columns>` of the jobs matching `criteria` past the cursor, in id order, at most
 * `limit` (no limit: every match; only sensible with a payload window). `windowed` says whether
 * the payload window bounded the scan (then call windowEdge when fewer than `limit` came back).
 */
export function matchingSql(schema: string, criteria: JobCriteria, p: Push, columns: string, c: ScanCursor, limit: number | null): { sql: string; windowed: boolean } {
  const { where, payload, order } = cheapWhere(criteria, p, schema, c);
  const lim = limit === null ? "" : ` limit ${p(limit)}`;
  if (payload === null) return { sql: `select ${columns} from ${quoteIdent(schema)}.jobs j where ${where} order by j.id ${order}${lim}`, windowed: false };
  const window = `(select j.* from ${quoteIdent(schema)}.jobs j where ${where} order by j.id ${order} limit ${p(PAYLOAD_WINDOW)}) j`;
  return { sql: `select ${columns} from ${window} where ${payload()} order by j.id ${order}${lim}`, windowed: true };
}

/** The last id of a full payload window past the cursor (where the next scan starts), or null when the jobs ended within it. */
export async function windowEdge(q: Sql, schema: string, criteria: JobCriteria, c: ScanCursor): Promise<string | null> {
  const params: unknown[] = [];
  const p = pusher(params);
  const { where, order } = cheapWhere(criteria, p, schema, c);
  const [r] = await q.query<{ n: number; edge: string | null }>(
    `select count(*)::int as n, ${order === "asc" ? "max" : "min"}(w.id)::text as edge
     from (select j.id from ${quoteIdent(schema)}.jobs j where ${where} order by j.id ${order} limit ${p(PAYLOAD_WINDOW)}) w`,
    params,
  );
  return r && Number(r.n) >= PAYLOAD_WINDOW ? r.edge : null;
}
