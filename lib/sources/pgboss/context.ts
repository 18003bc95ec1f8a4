// What every part of the pg-boss source shares: its name, the guest database, the schema as last
// detected (re-read every minute, so a pg-boss upgrade turns actions off without a restart), and
// whether it may act.
import type { GuestDatabase } from "../guest-db";
import type { SourceConfig } from "../config";
import { type BossLibrary, libraryForSchema, BOSS_LIBRARIES } from "./library";
import { type BossSchema, detectBossSchema } from "./schema";

const SCHEMA_TTL_MS = 60_000;

export interface PgBossContext {
  config: SourceConfig;
  db: GuestDatabase;
  schema(): Promise<BossSchema>;
}

export function createContext(config: SourceConfig, db: GuestDatabase): PgBossContext {
  let cached: { at: number; value: Promise<BossSchema> } | null = null;
  return {
    config,
    db,
    schema() {
      if (!cached || Date.now() - cached.at > SCHEMA_TTL_MS) {
        const value = detectBossSchema(db, config.schema);
        cached = { at: Date.now(), value };
        value.catch(() => {
          if (cached?.value === value) cached = null;
        });
      }
      return cached.value;
    },
  };
}

/** The library Jobdeck acts with on this schema, or why it may not act. */
export function actingLibrary(config: SourceConfig, s: BossSchema): { lib: BossLibrary; reason: null } | { lib: null; reason: string } {
  if (config.readOnly) return { lib: null, reason: "configured read-only (readOnly: true)" };
  const lib = libraryForSchema(s.version);
  if (lib) return { lib, reason: null };
  const known = BOSS_LIBRARIES.map((l) => `${l.schemaVersion} (pg-boss ${l.version})`).join(" or ");
  return {
    lib: null,
    reason: `pg-boss schema version ${s.version} is not one the installed pg-boss libraries act on (${known}): read-only so that no statement of another version touches it`,
  };
}
