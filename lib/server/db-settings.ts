// The app server's database settings beyond DATABASE_URL, read and checked in one place:
// lib/server/startup.ts refuses to start (exit 78) on a bad value, the handles in ./db use them.
//   JOBDECK_STATEMENT_TIMEOUT_MS  every statement of the web pools is cancelled after this long
//                                 (default 5000; 0 = no limit). PostgreSQL only: PGlite cannot
//                                 cancel a statement, so the embedded database ignores it.
//   DATABASE_READ_URL             a streaming replica for page and API reads (needs DATABASE_URL).

export const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;

export class DbSettingsError extends Error {
  override name = "DbSettingsError";
}

export function statementTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.JOBDECK_STATEMENT_TIMEOUT_MS?.trim();
  if (!raw) return DEFAULT_STATEMENT_TIMEOUT_MS;
  const n = Number(raw);
  // PostgreSQL's own limit for the setting is INT_MAX ms.
  if (!/^\d+$/.test(raw) || n > 2_147_483_647) {
    throw new DbSettingsError(`JOBDECK_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds (0 = no limit; got "${raw}")`);
  }
  return n;
}

/** The replica's URL, or null when reads go to the primary. */
export function readReplicaUrl(env: Record<string, string | undefined> = process.env): string | null {
  const raw = env.DATABASE_READ_URL?.trim();
  if (!raw) return null;
  if (!env.DATABASE_URL?.trim()) throw new DbSettingsError("DATABASE_READ_URL needs DATABASE_URL: the replica serves reads, the primary (DATABASE_URL) takes every write");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new DbSettingsError("DATABASE_READ_URL must be a postgres:// URL (it could not be parsed)");
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") throw new DbSettingsError(`DATABASE_READ_URL must be a postgres:// URL (got ${u.protocol}//…)`);
  return raw;
}

/** Both settings at once: the start-up check. */
export function checkDbSettings(env: Record<string, string | undefined> = process.env): void {
  statementTimeoutMs(env);
  readReplicaUrl(env);
}
