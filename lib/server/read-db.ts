// The handle page and API reads use. Without DATABASE_READ_URL it is the primary (getDb()). With
// it, each read goes to the replica unless
//   - the replica is down (a query failed to reach it, or the last check did): the primary, with a
//     log line when that starts and ends, and the lag banner says so;
//   - the caller wrote something the replica has not replayed yet (./read-your-writes): the primary;
//   - the replica cancelled the read for a conflict with recovery (SQLSTATE 40001): retried once
//     on the primary.
// Writes, the audit and token checks never come here: they use getDb(). Both pools run under
// JOBDECK_STATEMENT_TIMEOUT_MS.
import "server-only";
import { type Database, describeUrl, openDatabase, type Sql } from "@/db/client";
import { isDatabaseDown } from "@/db/outage";
import { getDb } from "./db";
import { readReplicaUrl, statementTimeoutMs } from "./db-settings";
import { ReplicaMonitor, type ReplicaStatus } from "./replica-monitor";
import { currentReadAfter } from "./read-your-writes";

type Shared = { jobdeckReadDb?: Promise<Database>; jobdeckReplica?: { db: Database; monitor: ReplicaMonitor; label: string } | null };
const shared = globalThis as typeof globalThis & Shared;

function replica(primary: Database): Shared["jobdeckReplica"] {
  if (shared.jobdeckReplica !== undefined) return shared.jobdeckReplica;
  const url = readReplicaUrl();
  if (!url) return (shared.jobdeckReplica = null);
  const label = describeUrl(url);
  // pg opens connections lazily: a replica that is down now costs nothing until it is asked.
  const opening = openDatabase({ databaseUrl: url, applicationName: "jobdeck-web-read", statementTimeoutMs: statementTimeoutMs() });
  const db: Database = {
    kind: "postgres",
    label,
    query: async (text, params) => (await opening).query(text, params),
    tx: async (fn) => (await opening).tx(fn),
    close: async () => (await opening).close(),
  };
  const monitor = new ReplicaMonitor(primary, db, (s) => {
    if (s.up) console.log(`[jobdeck] read replica ${label}: reads go to it`);
    else console.warn(`[jobdeck] read replica ${label} unavailable (${s.error}): reads go to the primary until it is back`);
  });
  return (shared.jobdeckReplica = { db, monitor, label });
}

export type ReadRoute =
  | { via: "primary"; why: "no replica" | "replica down" | "your write"; replica: ReplicaStatus | null }
  | { via: "replica"; replica: ReplicaStatus };

/** Where the current request's reads go, and why. */
export async function readRoute(): Promise<ReadRoute> {
  const r = replica(await getDb());
  if (!r) return { via: "primary", why: "no replica", replica: null };
  const status = await r.monitor.status();
  if (!status.up) return { via: "primary", why: "replica down", replica: status };
  const after = await currentReadAfter();
  if (after !== null && (status.replayLsn === null || status.replayLsn < after)) return { via: "primary", why: "your write", replica: status };
  return { via: "replica", replica: status };
}

/** Runs a read where readRoute() says; a replica that fails to answer hands the read to the primary. */
async function routed<T>(run: (db: Sql & Pick<Database, "tx">) => Promise<T>): Promise<T> {
  const primary = await getDb();
  const route = await readRoute();
  const r = shared.jobdeckReplica;
  if (route.via === "primary" || !r) return run(primary);
  try {
    return await run(r.db);
  } catch (err) {
    if (isDatabaseDown(err)) r.monitor.markDown(err);
    else if ((err as { code?: string } | null)?.code !== "40001") throw err;
    return run(primary);
  }
}

/** The read handle (see the top of this file). Its tx() is for consistent multi-statement reads only. */
export function getReadDb(): Promise<Database> {
  shared.jobdeckReadDb ??= (async () => {
    const primary = await getDb();
    if (!replica(primary)) return primary;
    return {
      kind: "postgres",
      label: `${primary.label} (reads: ${shared.jobdeckReplica!.label})`,
      query: (text, params) => routed((db) => db.query(text, params)),
      tx: (fn) => routed((db) => db.tx(fn)),
      close: async () => {},
    } satisfies Database;
  })().catch((err) => {
    shared.jobdeckReadDb = undefined;
    throw err;
  });
  return shared.jobdeckReadDb;
}

/** Closes the replica's pool (graceful shutdown; the primary is closeDb()'s). */
export async function closeReadDb(): Promise<void> {
  const r = shared.jobdeckReplica;
  shared.jobdeckReplica = undefined;
  shared.jobdeckReadDb = undefined;
  await r?.db.close().catch(() => {});
}

/** After a caller's write: the primary's WAL position to read after (null without a replica). */
export async function primaryWriteLsn(): Promise<string | null> {
  const primary = await getDb();
  if (!replica(primary)) return null;
  const [r] = await primary.query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn");
  return r?.lsn ?? null;
}
