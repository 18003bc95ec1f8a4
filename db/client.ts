// The database handle every layer uses: a `pg` Pool when DATABASE_URL is set, otherwise an
// embedded PGlite in JOBDECK_DATA_DIR. Both are reduced to one tiny interface so the queue's
// hand-tuned SQL runs unchanged on either.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { Pool, PoolClient } from "pg";

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Database extends Sql {
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: "postgres" | "pglite";
  /** A short description for logs; never contains a password. */
  readonly label: string;
  /**
   * The embedded instance itself (PGlite only), for a library that brings its own PGlite adapter
   * (the demo's pg-boss: its multi-statement blocks need exec(), which `query` cannot run).
   */
  readonly pglite?: PGlite;
}

export interface OpenOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** Pool size for `pg`. */
  max?: number;
  applicationName?: string;
  /**
   * PostgreSQL only: every statement on the pool's connections is cancelled after this many ms
   * (a connection parameter, so it costs no round trip). PGlite runs one statement at a time on
   * this thread and cannot cancel one, so it ignores this. Absent or 0 = no limit.
   */
  statementTimeoutMs?: number;
}

export async function openDatabase(opts: OpenOptions = {}): Promise<Database> {
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (url) return openPostgres(url, opts);
  return openPglite(opts.dataDir ?? process.env.JOBDECK_DATA_DIR ?? ".data/pglite");
}

export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "postgres (unparseable DATABASE_URL)";
  }
}

async function openPostgres(url: string, opts: OpenOptions): Promise<Database> {
  const { default: pg } = await import("pg");
  // int8 and numeric come back as JS numbers: ids and counts stay far below 2^53.
  pg.types.setTypeParser(20, (v) => Number(v));
  pg.types.setTypeParser(1700, (v) => Number(v));
  const INT8_ARRAY = 1016 as Parameters<typeof pg.types.setTypeParser>[0];
  const parseTextArray = pg.types.getTypeParser(INT8_ARRAY); // int8[] → (string | null)[]
  pg.types.setTypeParser(INT8_ARRAY, (v: string) =>
    (parseTextArray(v) as (string | null)[]).map((x) => (x === null ? null : Number(x))),
  );
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? Number(process.env.JOBDECK_DB_POOL_SIZE ?? 10),
    application_name: opts.applicationName ?? "jobdeck",
    // A host that drops packets must fail a page load quickly, not hang it.
    connectionTimeoutMillis: 5_000,
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
    // No JIT: our statements are short, and on a big table a misestimated cost made PostgreSQL
    // compile them anyway — 360 ms of the campaigns list's 390 ms at 10M jobs (`npm run bench`).
    options: "-c jit=off",
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on("error", () => {});
  const run = async <T>(c: Pool | PoolClient, text: string, params?: readonly unknown[]) =>
    (await c.query(text, params as unknown[])).rows as T[];
  return {
    kind: "postgres",
    label: describeUrl(url),
    query: (text, params) => run(pool, text, params),
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        // One connection runs one statement at a time: queue callers that run several at once
        // (Promise.all inside a transaction) instead of relying on pg's deprecated implicit queue.
        let last: Promise<unknown> = Promise.resolve();
        const result = await fn({
          query: <T>(text: string, params?: readonly unknown[]) => {
            const next = last.then(() => run<T>(client, text, params));
            last = next.catch(() => {});
            return next;
          },
        });
        await client.query("commit");
        return result;
      } catch (err) {
        await client.query("rollback").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const { PGlite, types } = await import("@electric-sql/pglite");
  // pg_trgm backs the job list's error-text filters (migration 0009_filter_indexes).
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const db = await PGlite.create(dir, {
    extensions: { pg_trgm },
    parsers: { [types.INT8]: (v: string) => Number(v), [types.NUMERIC]: (v: string) => Number(v) },
  });
  return {
    kind: "pglite",
    label: `pglite ${dir}`,
    pglite: db,
    query: async (text, params) => (await db.query(text, params as unknown[])).rows as never,
    tx: (fn) => db.transaction((t) => fn({ query: async (text, params) => (await t.query(text, params as unknown[])).rows as never })),
    close: () => db.close(),
  };
}
