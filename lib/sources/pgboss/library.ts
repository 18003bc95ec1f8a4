// The pg-boss library Jobdeck acts with, chosen by the schema version found in the database: each
// installed pg-boss acts only on the schema version it was built for (10.4.2 → 24, 12.38.0 → 46);
// any other version is read-only. An instance is made per change, on the transaction it runs in
// (`db`: an executor over that transaction), with supervise, schedule and migrate off and
// registerInstance off, and is never started: retry/cancel/resume/fail/update need no start()
// (they run one statement on the `db` they are given; 12.x reads the queue's table name through
// the same executor), so no timer, maintenance, migration or instance row ever comes from Jobdeck.
import type { Sql } from "../../../db/client";

export interface BossLibrary {
  major: 10 | 12;
  /** The npm package name it is installed under. */
  packageName: "pg-boss" | "pg-boss-v12";
  /** Its version (kept equal to the installed package.json: tests/sources/pgboss/library.test.ts). */
  version: string;
  /** The only pg-boss schema version it acts on. */
  schemaVersion: number;
}

export const BOSS_LIBRARIES: readonly BossLibrary[] = [
  { major: 10, packageName: "pg-boss", version: "10.4.2", schemaVersion: 24 },
  { major: 12, packageName: "pg-boss-v12", version: "12.38.0", schemaVersion: 46 },
];

export function libraryForSchema(version: number): BossLibrary | null {
  return BOSS_LIBRARIES.find((l) => l.schemaVersion === version) ?? null;
}

/** What pg-boss calls the database handle it runs statements on. */
export interface BossExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface BossCommandResult {
  requested: number;
  affected: number;
}

/** The pg-boss functions Jobdeck acts with (both majors); `update` exists on 12.x only. */
export interface BossActions {
  retry(name: string, ids: string[], options: { db: BossExecutor }): Promise<BossCommandResult>;
  resume(name: string, ids: string[], options: { db: BossExecutor }): Promise<BossCommandResult>;
  cancel(name: string, ids: string[], options: { db: BossExecutor }): Promise<BossCommandResult>;
  fail(name: string, ids: string[] | { id: string; retryCount: number }[], data: object, options: { db: BossExecutor }): Promise<BossCommandResult>;
  update?(name: string, data: undefined, options: { id: string; priority?: number; startAfter?: number; db: BossExecutor }): Promise<{ jobs: string[]; updated: number }>;
}

export function executorOf(q: Sql): BossExecutor {
  return { executeSql: async (text, values) => ({ rows: await q.query<Record<string, unknown>>(text, values ?? []) }) };
}

type BossCtor = new (config: Record<string, unknown>) => BossActions & { on(event: string, fn: (e: unknown) => void): unknown };

async function load(lib: BossLibrary): Promise<BossCtor> {
  if (lib.major === 10) return (await import("pg-boss")).default as unknown as BossCtor;
  return (await import("pg-boss-v12")).PgBoss as unknown as BossCtor;
}

/** A never-started pg-boss of `lib` whose every statement runs on `q` (Jobdeck's transaction). */
export async function inertBoss(lib: BossLibrary, schema: string, q: Sql): Promise<{ boss: BossActions; db: BossExecutor }> {
  const Ctor = await load(lib);
  const db = executorOf(q);
  const boss = new Ctor({ db, schema, supervise: false, schedule: false, migrate: false, ...(lib.major === 12 ? { registerInstance: false } : {}) });
  // pg-boss emits 'error' for background work only (none runs here); without a listener an emit would throw.
  boss.on("error", () => {});
  return { boss, db };
}
