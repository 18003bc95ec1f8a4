// Which graphile-worker schema a source's database holds, read from graphile-worker's own
// `migrations` table, and whether Jobdeck can read and act on it. Jobdeck reads the `jobs` view
// (migration 17) and calls the admin functions whose signatures graphile-worker fixed by its
// breaking migration 19 (the 0.17 worker-pool release); a newer breaking migration means a
// schema Jobdeck does not know, so the source turns read-only with that reason.
import type { Sql } from "../../../db/client";

/** The first schema revision with the `jobs` view Jobdeck reads. */
export const MIN_REVISION = 17;
/** The newest breaking migration Jobdeck knows (graphile-worker 0.17.x). */
export const KNOWN_BREAKING_REVISION = 19;

export interface GraphileSchema {
  /** The newest migration applied (graphile-worker's schema revision). */
  revision: number;
  /** The newest breaking migration applied. */
  breakingRevision: number | null;
  /** Jobs can be listed and read. */
  readable: boolean;
  /** Actions may run (graphile-worker's functions have the signatures Jobdeck calls). */
  writable: boolean;
  /** Why reads or actions are not possible; null when both are. */
  reason: string | null;
}

/** `"graphile_worker"`: config.schema is already a plain identifier (lib/sources/config.ts); quoting keeps its case. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Reads the migrations table; throws a plain Error naming the schema when graphile-worker is not installed there. */
export async function detectSchema(q: Sql, schema: string): Promise<GraphileSchema> {
  const [exists] = await q.query<{ ok: boolean }>("select to_regclass($1) is not null as ok", [`${quoteIdent(schema)}.migrations`]);
  if (!exists?.ok) {
    throw new Error(`no graphile-worker schema "${schema}" here (no ${schema}.migrations table): run graphile-worker once to install it, or set the source's schema`);
  }
  const [row] = await q.query<{ revision: number | null; breaking: number | null }>(
    `select max(id)::int as revision, (select max(id)::int from ${quoteIdent(schema)}.migrations where breaking) as breaking from ${quoteIdent(schema)}.migrations`,
  );
  return classify(Number(row?.revision ?? 0), row?.breaking == null ? null : Number(row.breaking));
}

export function classify(revision: number, breakingRevision: number | null): GraphileSchema {
  if (revision < MIN_REVISION) {
    return {
      revision,
      breakingRevision,
      readable: false,
      writable: false,
      reason: `graphile-worker schema revision ${revision} predates the jobs view (revision ${MIN_REVISION}, graphile-worker 0.16): upgrade graphile-worker to 0.16 or later`,
    };
  }
  if (breakingRevision !== null && breakingRevision > KNOWN_BREAKING_REVISION) {
    return {
      revision,
      breakingRevision,
      readable: true,
      writable: false,
      reason: `graphile-worker schema revision ${revision} includes breaking migration ${breakingRevision}, newer than the 0.17 schema Jobdeck knows (breaking migrations up to ${KNOWN_BREAKING_REVISION}): read-only until Jobdeck supports it`,
    };
  }
  return { revision, breakingRevision, readable: true, writable: true, reason: null };
}
