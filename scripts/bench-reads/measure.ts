// Timing helpers for the read benchmark: percentiles, a Database wrapper that records the SQL a
// lib/queries function runs (so the same statements can be replayed through a plain `pg` client
// as the floor), and EXPLAIN ANALYZE of a recorded statement.
import type pg from "pg";
import type { Database } from "../../db/client";

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? Number.NaN };
}

export interface Statement {
  text: string;
  params: readonly unknown[];
}

/** Runs `fn` once on a recording wrapper of `db` and returns the statements it ran, in order. */
export async function recordStatements(db: Database, fn: (db: Database) => Promise<unknown>): Promise<Statement[]> {
  const seen: Statement[] = [];
  const rec: Database = {
    ...db,
    query: (text, params) => {
      seen.push({ text, params: params ?? [] });
      return db.query(text, params);
    },
    tx: (f) => db.tx((q) => f({ query: (text, params) => (seen.push({ text, params: params ?? [] }), q.query(text, params)) })),
  };
  await fn(rec);
  return seen;
}

export async function replay(client: pg.Client, statements: Statement[]): Promise<void> {
  for (const s of statements) await client.query(s.text, s.params as unknown[]);
}

/** EXPLAIN (ANALYZE) of one recorded statement, as text lines. */
export async function explain(client: pg.Client, s: Statement): Promise<string[]> {
  const r = await client.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers off) ${s.text}`, s.params as unknown[]);
  return r.rows.map((row) => row["QUERY PLAN"]);
}

export const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : "—");
