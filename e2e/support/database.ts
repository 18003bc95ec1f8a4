// The e2e suite's own database: a fresh `jobdeck_e2e` on the local PostgreSQL server. Anything
// that is not on this machine is refused, so a test run can never touch a shared database.
import { test } from "@playwright/test";
import { type Database, openDatabase } from "../../db/client";

export const E2E_DATABASE_URL =
  process.env.JOBDECK_E2E_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/jobdeck_e2e";

export function assertLocalDatabaseUrl(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`e2e tests refuse a non-local database (host "${host}"); point JOBDECK_E2E_DATABASE_URL at a local server`);
  }
}

export async function openE2eDatabase(): Promise<Database> {
  assertLocalDatabaseUrl(E2E_DATABASE_URL);
  return openDatabase({ databaseUrl: E2E_DATABASE_URL, max: 3, applicationName: "jobdeck-e2e" });
}

/** Empties every Jobdeck table, so a spec's counts are exactly what it seeded. */
export async function truncateAll(db: Database): Promise<void> {
  await db.query(
    "truncate jobs, job_attempts, workers, campaigns, audit_events, job_rollups, queue_depth_samples, api_tokens restart identity cascade",
  );
}

/**
 * A spec's database handle, opened once for the file and emptied before every test, so each
 * test's counts are exactly what it seeded: `let db: Database; freshE2eDatabasePerTest((d) => (db = d));`.
 */
export function freshE2eDatabasePerTest(assign: (db: Database) => void): void {
  let db: Database | undefined;
  test.beforeAll(async () => {
    db = await openE2eDatabase();
    assign(db);
  });
  test.afterAll(async () => {
    await db?.close();
  });
  test.beforeEach(async () => {
    await truncateAll(db!);
  });
}
