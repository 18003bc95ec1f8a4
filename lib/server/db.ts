// The app's process-wide database handle: opened once, migrated once, shared by every request
// and by the in-process demo. Cached on globalThis so dev-mode HMR and the separate
// instrumentation bundle never open a second PGlite on the same data directory.
import "server-only";
import { type Database, openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";
import { statementTimeoutMs } from "./db-settings";

// One secret-free description of a database failure, shared with the sources and the CLI.
export { describeDbError } from "@/db/outage";

type DbCache = { jobdeckDb?: Promise<Database> };
const cache = globalThis as typeof globalThis & DbCache;

/**
 * Returns the migrated database. When opening or migrating fails (database down), the failure
 * is not cached: the next call tries again, so pages recover by themselves.
 */
export function getDb(): Promise<Database> {
  if (!cache.jobdeckDb) {
    const opening = (async () => {
      // Every statement of the web pool runs under the timeout (migrate lifts it for itself).
      const db = await openDatabase({ applicationName: "jobdeck-web", statementTimeoutMs: statementTimeoutMs() });
      try {
        await migrate(db);
      } catch (err) {
        await db.close().catch(() => {});
        throw err;
      }
      return db;
    })();
    cache.jobdeckDb = opening;
    opening.catch(() => {
      if (cache.jobdeckDb === opening) cache.jobdeckDb = undefined;
    });
  }
  return cache.jobdeckDb;
}

/** Where the app's data lives, for the footer and banners; never contains a password. */
export async function databaseLabel(): Promise<string> {
  if (process.env.DATABASE_URL) {
    const { describeUrl } = await import("@/db/client");
    return describeUrl(process.env.DATABASE_URL);
  }
  return `embedded PGlite (${process.env.JOBDECK_DATA_DIR ?? ".data/pglite"})`;
}

/** Closes the shared handle (graceful shutdown); the next getDb() opens a new one. */
export async function closeDb(): Promise<void> {
  const opening = cache.jobdeckDb;
  cache.jobdeckDb = undefined;
  const db = await opening?.catch(() => null);
  await db?.close().catch(() => {});
}
