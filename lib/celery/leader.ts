// One bridge per source across every Jobdeck process (app replicas, standalone bridges): the
// leader holds a session advisory lock on a dedicated connection to the control database for as
// long as it runs the bridge. A process that dies loses its session and so the lock; another
// process takes over within its next try. On the embedded database (PGlite: one process by
// construction) the only process is always the leader.
import type { Client } from "pg";

/** The two-int advisory lock space: (this constant, hashtext(source)). Any constant works if every process uses it. */
const LOCK_CLASS = 7_311_291;
const KEEPALIVE_MS = 5_000;

export interface Leadership {
  /** Resolves when leadership is lost (the lock connection failed); never resolves for an embedded database. */
  readonly lost: Promise<string>;
  release(): Promise<void>;
}

/** Tries once; null when another process holds the source. */
export async function tryLead(databaseUrl: string | null, source: string): Promise<Leadership | null> {
  if (!databaseUrl) return { lost: new Promise<string>(() => {}), release: async () => {} };
  const { default: pg } = await import("pg");
  const client: Client = new pg.Client({ connectionString: databaseUrl, application_name: `jobdeck-celery-leader:${source}`.slice(0, 63), connectionTimeoutMillis: 5_000, keepAlive: true });
  let resolveLost!: (why: string) => void;
  const lost = new Promise<string>((r) => (resolveLost = r));
  client.on("error", (err) => resolveLost(`leader lock connection failed: ${err.message.split("\n")[0]}`));
  client.on("end", () => resolveLost("leader lock connection ended"));
  try {
    await client.connect();
    const { rows } = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1, hashtext($2)) as ok", [LOCK_CLASS, source]);
    if (!rows[0]?.ok) {
      await client.end().catch(() => {});
      return null;
    }
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  // A silent network failure would otherwise go unnoticed until the next write.
  const keepalive = setInterval(() => {
    client.query("select 1").catch((err: Error) => resolveLost(`leader lock connection failed: ${err.message.split("\n")[0]}`));
  }, KEEPALIVE_MS);
  keepalive.unref();
  let released = false;
  return {
    lost,
    async release() {
      if (released) return;
      released = true;
      clearInterval(keepalive);
      await client.query("select pg_advisory_unlock($1, hashtext($2))", [LOCK_CLASS, source]).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}
