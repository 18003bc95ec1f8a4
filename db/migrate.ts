// Applies the generated SQL migrations in db/migrations, idempotently. Two processes starting at
// once serialize on an advisory lock, and each migration commits with its bookkeeping row.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./client";

interface JournalEntry {
  idx: number;
  tag: string;
}

// Any constant works; it only has to be the same for every Jobdeck process.
const MIGRATION_LOCK_KEY = 7_311_290_441;

export function migrationsDir(): string {
  if (process.env.JOBDECK_MIGRATIONS_DIR) return process.env.JOBDECK_MIGRATIONS_DIR;
  const candidates = [path.join(process.cwd(), "db", "migrations")];
  try {
    candidates.unshift(path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations"));
  } catch {
    // bundled: import.meta.url may not be a file URL
  }
  const found = candidates.find((dir) => existsSync(path.join(dir, "meta", "_journal.json")));
  if (!found) throw new Error(`migrations not found (looked in ${candidates.join(", ")})`);
  return found;
}

export function readMigrations(dir = migrationsDir()) {
  const journal = JSON.parse(readFileSync(path.join(dir, "meta", "_journal.json"), "utf8")) as {
    entries: JournalEntry[];
  };
  return journal.entries
    .sort((a, b) => a.idx - b.idx)
    .map((e) => ({
      id: e.idx,
      tag: e.tag,
      statements: readFileSync(path.join(dir, `${e.tag}.sql`), "utf8")
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter(Boolean),
    }));
}

/** Applies every pending migration; returns the tags it applied (empty when current). */
export async function migrate(db: Database, dir?: string): Promise<string[]> {
  const migrations = readMigrations(dir);
  return db.tx(async (q) => {
    // An index build on a big table takes minutes: never under the app pool's read timeout.
    await q.query("set local statement_timeout = 0");
    await q.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await q.query(
      `create table if not exists jobdeck_migrations (
         id integer primary key, tag text not null, applied_at timestamptz not null default now())`,
    );
    const done = new Set(
      (await q.query<{ id: number }>("select id from jobdeck_migrations")).map((r) => r.id),
    );
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      for (const statement of m.statements) await q.query(statement);
      await q.query("insert into jobdeck_migrations (id, tag) values ($1, $2)", [m.id, m.tag]);
      applied.push(m.tag);
    }
    return applied;
  });
}

/** Migrations known to this build that the database has not applied (for health checks). */
export async function pendingMigrations(db: Database, dir?: string): Promise<string[]> {
  const migrations = readMigrations(dir);
  const rows = await db
    .query<{ id: number }>("select id from jobdeck_migrations")
    .catch(() => [] as { id: number }[]);
  const done = new Set(rows.map((r) => r.id));
  return migrations.filter((m) => !done.has(m.id)).map((m) => m.tag);
}
