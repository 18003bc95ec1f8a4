// What a pg-boss schema looks like in the source database: its version (`<schema>.version`) and
// the shape of its tables, read from the catalog so reads follow the columns that are really there
// (10.x: `expire_in` interval and an `archive` table; 11/12.x: `expire_seconds`, per-job
// heartbeats, and from 12.36 the `instance` registry of running pg-boss instances). Read-only.
import type { Sql } from "../../../db/client";

export interface BossSchema {
  /** The schema name as pg-boss writes it (unquoted; config accepts plain identifiers only). */
  name: string;
  version: number;
  /** v10: pg-boss ≤ 10.x layout; v12: the 11/12.x layout. */
  family: "v10" | "v12";
  hasArchive: boolean;
  hasInstance: boolean;
  hasHeartbeat: boolean;
  hasBlocked: boolean;
  /** The opt-in index (name, state, created_on, id) on the job table (README "Sources → pg-boss"). */
  hasListIndex: boolean;
  /** pg-boss's own (name, created_on) index (12.x): each queue is already an ordered range. */
  hasCreatedIndex: boolean;
}

/** The opt-in index Jobdeck's lists and counts use when an operator has created it. */
export const LIST_INDEX_COLUMNS = "(name, state, created_on, id)";

export class BossSchemaMissingError extends Error {
  constructor(schema: string, what: string) {
    super(`no pg-boss schema "${schema}" here: ${what}`);
    this.name = "BossSchemaMissingError";
  }
}

export async function detectBossSchema(db: Sql, schema: string): Promise<BossSchema> {
  const cols = await db.query<{ table_name: string; column_name: string }>(
    `select table_name::text, column_name::text from information_schema.columns
     where table_schema = lower($1) and table_name in ('version', 'job', 'archive', 'instance')`,
    [schema],
  );
  const has = (t: string, c?: string) => cols.some((r) => r.table_name === t && (c === undefined || r.column_name === c));
  if (!has("version", "version")) throw new BossSchemaMissingError(schema, "it has no version table");
  if (!has("job")) throw new BossSchemaMissingError(schema, "it has no job table");
  const [row] = await db.query<{ version: number | string }>(`select version from ${schema}.version limit 1`);
  const version = Number(row?.version);
  if (!Number.isInteger(version)) throw new BossSchemaMissingError(schema, "its version table is empty");
  const [idx] = await db.query<{ list: boolean; created: boolean }>(
    `select coalesce(bool_or(c.relname = 'job' and pg_get_indexdef(i.indexrelid) like '%' || $2 || '%'), false) as list,
       coalesce(bool_or(c.relname in ('job', 'job_common') and pg_get_indexdef(i.indexrelid) like '%(name, created_on)'), false) as created
     from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace ns on ns.oid = c.relnamespace
     where ns.nspname = lower($1)`,
    [schema, LIST_INDEX_COLUMNS],
  );
  const family = has("job", "expire_in") ? "v10" : has("job", "expire_seconds") ? "v12" : null;
  if (family === null) throw new BossSchemaMissingError(schema, `its job table (schema version ${version}) has neither expire_in nor expire_seconds`);
  return {
    name: schema,
    version,
    family,
    hasArchive: has("archive", "archived_on"),
    hasInstance: has("instance", "heartbeat_on"),
    hasHeartbeat: has("job", "heartbeat_on") && has("job", "heartbeat_seconds"),
    hasBlocked: has("job", "blocked"),
    hasListIndex: idx?.list === true,
    hasCreatedIndex: idx?.created === true,
  };
}

/** When the lease of an active job runs out: its expiry, or (12.x) a missed heartbeat, whichever is first. */
export function lockedUntilSql(s: BossSchema, a: string): string {
  if (s.family === "v10") return `(${a}.started_on + ${a}.expire_in)`;
  const expiry = `${a}.started_on + ${a}.expire_seconds * interval '1 second'`;
  return s.hasHeartbeat
    ? `least(${expiry}, case when ${a}.heartbeat_seconds is not null then ${a}.heartbeat_on + ${a}.heartbeat_seconds * interval '1 second' end)`
    : `(${expiry})`;
}

export function expireSecondsSql(s: BossSchema, a: string): string {
  return s.family === "v10" ? `extract(epoch from ${a}.expire_in)::float8` : `${a}.expire_seconds::float8`;
}

/**
 * The error of a job whose last attempt failed, as text: pg-boss stores the thrown error
 * serialized (`{name, message, stack}`), a timeout as `{value: {message}}`, anything else thrown
 * as `{value}`. Only for retry/failed jobs: other jobs' output is their result.
 */
export function errorTextSql(a: string): string {
  return `case when ${a}.state in ('retry', 'failed') then coalesce(${a}.output->>'message', ${a}.output#>>'{value,message}',
    case when jsonb_typeof(${a}.output->'value') = 'string' then ${a}.output->>'value' end, ${a}.output::text) end`;
}
