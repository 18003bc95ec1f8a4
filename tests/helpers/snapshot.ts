// Whole-table snapshots for "a refused call changed nothing": every row of the tables a mutation
// could touch, as JSON text, plus the audit log's row count. Compare two snapshots with toEqual.
import type { Sql } from "../../db/client";

export interface DataSnapshot {
  jobs: string;
  job_attempts: string;
  campaigns: string;
  api_tokens: string;
  audit_events: number;
}

/**
 * `ignoreTokenUse`: leave api_tokens.last_used_at out — a request that presents a token records
 * that it was used (at most once a minute, lib/auth/tokens.ts) before it is refused; that is
 * bookkeeping of the request, not a change the request asked for.
 */
export async function snapshotData(q: Sql, opts: { ignoreTokenUse?: boolean } = {}): Promise<DataSnapshot> {
  const rows = async (sql: string) => JSON.stringify((await q.query<{ r: unknown }>(sql)).map((x) => x.r));
  const tokens = opts.ignoreTokenUse ? "to_jsonb(t) - 'last_used_at'" : "to_jsonb(t)";
  const [{ n }] = await q.query<{ n: number }>("select count(*)::int as n from audit_events");
  return {
    jobs: await rows("select to_jsonb(t) as r from jobs t order by id"),
    job_attempts: await rows("select to_jsonb(t) as r from job_attempts t order by id"),
    campaigns: await rows("select to_jsonb(t) as r from campaigns t order by id"),
    api_tokens: await rows(`select ${tokens} as r from api_tokens t order by id`),
    audit_events: n,
  };
}
