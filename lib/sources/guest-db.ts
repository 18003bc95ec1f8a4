// A foreign source's database, opened as a guest: its own small pool (JOBDECK_SOURCE_POOL_SIZE,
// default 3) whose sessions carry a statement timeout (JOBDECK_SOURCE_STATEMENT_TIMEOUT_MS,
// default 5000) and a lock timeout, an application_name that names the source, and a circuit
// breaker so a source that is down fails fast while the others keep working. Jobdeck never runs
// DDL here. When the source lives in the control database (no `url`, or the same server and
// database as DATABASE_URL), `sameAsControl` says so: actions then run in the control
// database's transaction, together with their audit row (lib/sources/audited-action.ts).
import type { Database, Sql } from "../../db/client";
import { isDatabaseDown } from "../../db/outage";
import { CircuitBreaker } from "./breaker";
import type { SourceConfig } from "./config";

export interface GuestDatabase extends Sql {
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
  readonly sameAsControl: boolean;
  /** `postgres host:port/db`: never a password. */
  readonly location: string;
  readonly breaker: CircuitBreaker;
  close(): Promise<void>;
}

export function sourceStatementTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.JOBDECK_SOURCE_STATEMENT_TIMEOUT_MS?.trim();
  const n = raw ? Number(raw) : 5_000;
  if (!Number.isInteger(n) || n < 100 || n > 600_000) throw new Error(`JOBDECK_SOURCE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds from 100 to 600000 (got "${raw}")`);
  return n;
}

function poolSize(env: Record<string, string | undefined> = process.env): number {
  const raw = env.JOBDECK_SOURCE_POOL_SIZE?.trim();
  const n = raw ? Number(raw) : 3;
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`JOBDECK_SOURCE_POOL_SIZE must be a whole number from 1 to 50 (got "${raw}")`);
  return n;
}

/** `postgres host:port/db` of a connection string (no user, no password). */
export function describeLocation(url: string): string {
  try {
    const u = new URL(url);
    return `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "postgres (unparseable url)";
  }
}

function sameServerAndDatabase(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    const host = (h: string) => (h === "localhost" || h === "::1" || h === "[::1]" ? "127.0.0.1" : h);
    return host(x.hostname) === host(y.hostname) && (x.port || "5432") === (y.port || "5432") && x.pathname === y.pathname;
  } catch {
    return false;
  }
}

/**
 * Errors that prove the source could not be reached: the breaker counts only these. A lock
 * timeout (55P03, "canceling statement due to lock timeout") is not one: the server answered,
 * a row was busy.
 */
export const isOutage = (err: unknown) =>
  isDatabaseDown(err) || ((err as { code?: string })?.code !== "55P03" && /statement timeout|canceling statement/i.test(String((err as Error)?.message)));

function guard(breaker: CircuitBreaker): <T>(fn: () => Promise<T>) => Promise<T> {
  return (fn) => breaker.run(fn, isOutage);
}

export async function openGuestDatabase(config: SourceConfig, control: Database, env: Record<string, string | undefined> = process.env): Promise<GuestDatabase> {
  const breaker = new CircuitBreaker();
  const run = guard(breaker);
  const controlUrl = env.DATABASE_URL;
  const url = config.url ?? controlUrl ?? null;
  if (url === null) {
    // The embedded control database (PGlite): one connection in this process, shared.
    return {
      sameAsControl: true,
      location: `${control.label} schema=${config.schema}`,
      breaker,
      query: (text, params) => run(() => control.query(text, params)),
      tx: (fn) => run(() => control.tx(fn)),
      close: async () => {},
    };
  }
  const { default: pg } = await import("pg");
  const timeout = sourceStatementTimeoutMs(env);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize(env),
    application_name: `jobdeck-source:${config.name}`.slice(0, 63),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Every statement of every session: a slow read or a blocked lock gives up, never hangs a page.
    // No JIT: these are short index reads whose plans merely look costly (many small subplans);
    // compiling them took seconds (a pg-boss summary: 5 s with JIT, 75 ms without).
    options: `-c statement_timeout=${timeout} -c lock_timeout=${Math.min(timeout, 2_000)} -c idle_in_transaction_session_timeout=${timeout * 2} -c jit=off`,
  });
  pool.on("error", () => {});
  return {
    sameAsControl: controlUrl !== undefined && sameServerAndDatabase(url, controlUrl),
    location: `${describeLocation(url)} schema=${config.schema}`,
    breaker,
    query: (text, params) => run(async () => (await pool.query(text, params as unknown[])).rows),
    tx: (fn) =>
      run(async () => {
        const client = await pool.connect();
        try {
          await client.query("begin");
          let last: Promise<unknown> = Promise.resolve();
          const result = await fn({
            query: <T>(text: string, params?: readonly unknown[]) => {
              const next = last.then(async () => (await client.query(text, params as unknown[])).rows as T[]);
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
      }),
    close: () => pool.end(),
  };
}
