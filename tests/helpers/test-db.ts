// Gives each test file its own fresh PostgreSQL database on the local server, migrated, and
// drops it afterwards. Refuses any server that is not on this machine.
import pg from "pg";
import { type Database, openDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";

export const TEST_SERVER_URL = process.env.JOBDECK_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function assertLocalDatabaseUrl(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]", ""].includes(host)) {
    throw new Error(`tests refuse to touch a non-local database (${host}); set JOBDECK_TEST_DATABASE_URL to a local server`);
  }
}

function urlFor(dbName: string): string {
  const u = new URL(TEST_SERVER_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  assertLocalDatabaseUrl(TEST_SERVER_URL);
  const c = new pg.Client({ connectionString: TEST_SERVER_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  db: Database;
  /** DATABASE_URL of this test's database, for child processes. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates `jobdeck_test_<label>_<random>`, migrates it and opens a pool on it. */
export async function createTestDatabase(label: string, opts: { max?: number } = {}): Promise<TestDatabase> {
  const name = `jobdeck_test_${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${Math.random().toString(36).slice(2, 8)}`;
  await admin((c) => c.query(`create database "${name}"`));
  const url = urlFor(name);
  const db = await openDatabase({ databaseUrl: url, max: opts.max ?? 10 });
  await migrate(db);
  return {
    db,
    url,
    name,
    async drop() {
      await db.close().catch(() => {});
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
