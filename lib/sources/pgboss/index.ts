// The pg-boss source: pg-boss 10.x and 12.x job systems, read through their tables and changed
// only through pg-boss's own functions (lib/sources/pgboss/library.ts), inside Jobdeck's audited
// transaction. Any server-side code may create one from a SourceConfig; the registry does.
import type { Database } from "../../../db/client";
import { requireCapability } from "../capabilities";
import type { SourceConfig } from "../config";
import { openGuestDatabase } from "../guest-db";
import { BreakerOpenError } from "../breaker";
import { isOutage } from "../guest-db";
import { type Source, type SourceHealth, type SourceInfo, SourceUnavailableError } from "../types";
import { applyAction, previewAction, recoverStaleJobs, type Acting } from "./actions";
import { actingLibrary, createContext, type PgBossContext } from "./context";
import { getJob } from "./detail";
import { capabilitiesOf, infoOf } from "./info";
import { jobKey, parseJobRef } from "./keys";
import { BossSchemaMissingError } from "./schema";
import { countJobs, listJobs, listStale } from "./reads";
import { cachedSummary } from "./summary";
import { listWorkers } from "./workers";

/** The first line of an error, without anything that looks like a connection string. */
export function errorText(err: unknown): string {
  return String((err as Error)?.message ?? err)
    .split("\n")[0]
    .replace(/postgres(ql)?:\/\/\S+/gi, "postgres://…")
    .slice(0, 300);
}

/** Outages, an open breaker and a missing pg-boss schema become SourceUnavailableError (a banner, a 503). */
function guarded<A extends unknown[], T>(name: string, fn: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof BreakerOpenError || err instanceof BossSchemaMissingError || isOutage(err)) throw new SourceUnavailableError(name, errorText(err));
      throw err;
    }
  };
}

async function acting(ctx: PgBossContext, capability: Parameters<typeof requireCapability>[2]): Promise<Acting> {
  const s = await ctx.schema();
  requireCapability(ctx.config.name, capabilitiesOf(ctx, s).set, capability);
  const { lib } = actingLibrary(ctx.config, s);
  return { ctx, s, lib: lib! };
}

export async function createPgBossSource(config: SourceConfig, control: Database, env: Record<string, string | undefined> = process.env): Promise<Source> {
  const db = await openGuestDatabase(config, control, env);
  const ctx = createContext(config, db);
  const summary = cachedSummary(ctx);
  const g = <A extends unknown[], T>(fn: (...args: A) => Promise<T>) => guarded(config.name, fn);
  return {
    name: config.name,
    kind: "pg-boss",
    info: g(async (): Promise<SourceInfo> => infoOf(ctx, await ctx.schema())),
    async health(): Promise<SourceHealth> {
      const started = performance.now();
      const checkedAt = new Date().toISOString();
      try {
        await db.query("select 1");
        return { ok: true, checkedAt, latencyMs: Math.round(performance.now() - started), error: null, breaker: db.breaker.state };
      } catch (err) {
        return { ok: false, checkedAt, latencyMs: null, error: `${db.location}: ${errorText(err)}`, breaker: db.breaker.state };
      }
    },
    parseKey(raw) {
      const ref = parseJobRef(raw);
      return ref ? jobKey(ref.queue, ref.id) : null;
    },
    listJobs: g((q) => listJobs(ctx, q)),
    countJobs: g((criteria, cap) => countJobs(ctx, criteria, cap)),
    getJob: g((key) => getJob(ctx, key)),
    listWorkers: g(() => listWorkers(ctx)),
    listStale: g(() => listStale(ctx)),
    summary: g(summary),
    // No charts yet: capability "charts" says why (lib/sources/pgboss/info.ts).
    series: async () => null,
    preview: g(async (input) => previewAction(await acting(ctx, input.action), input)),
    apply: g(async (input, actx) => applyAction(await acting(ctx, input.action), input, actx)),
    recoverStale: g(async (input, actx) => recoverStaleJobs(await acting(ctx, "recoverStale"), input, actx)),
    close: () => db.close(),
  };
}
