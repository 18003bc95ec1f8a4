// The graphile-worker source: a Source over graphile-worker's schema in its own database (or the
// control database), opened as a guest (own pool, statement timeout, circuit breaker). It reads
// the `jobs` view and acts only through graphile-worker's SQL admin functions, so it needs no
// graphile-worker package at run time. What graphile-worker cannot tell (history, heartbeats,
// attempts) is a missing capability with its reason; a schema newer than Jobdeck knows, or
// `readOnly` in the configuration, turns every action off with why.
import type { Database } from "../../../db/client";
import { sharedFor } from "../cache";
import { capabilitySet, requireCapability, requireFilters, withoutActions } from "../capabilities";
import type { SourceConfig } from "../config";
import { isOutage, openGuestDatabase } from "../guest-db";
import {
  type ActionContext,
  type ActionInput,
  type CapabilitySet,
  type Source,
  type SourceHealth,
  type SourceInfo,
  SourceUnavailableError,
} from "../types";
import { applyGraphileAction } from "./actions";
import { previewGraphileAction } from "./preview";
import { checkInput } from "./rules";
import { FILTER_NOTES, UNSUPPORTED_FILTERS } from "./criteria";
import { parseGraphileKey } from "./keys";
import { countGraphileJobs, getGraphileJob, listGraphileJobs, listGraphileStale, listGraphileWorkers } from "./reads";
import { recoverGraphileStale } from "./recover";
import { detectSchema, type GraphileSchema, quoteIdent } from "./schema";
import { GRAPHILE_STATE_MAP } from "./states";
import { graphileSummary } from "./summary";

const NO_HEARTBEATS = "graphile-worker has no worker heartbeats in its open-source version: Jobdeck sees only which worker pool holds each lock, not whether it is alive";

export const GRAPHILE_MISSING = {
  history: "graphile-worker deletes completed jobs: there is no history",
  workers: NO_HEARTBEATS,
  heartbeats: NO_HEARTBEATS,
  attempts: "graphile-worker keeps no attempt history: only the attempt count and the last error",
  charts: "graphile-worker keeps no history to chart (completed jobs are deleted): only the queue depth is charted, from Jobdeck's minute samples",
  campaigns: "campaigns are Jobdeck's own: graphile-worker jobs belong to none",
} as const;

/** The schema revision is read again after this long: graphile-worker may be upgraded while Jobdeck runs. */
const SCHEMA_TTL_MS = 60_000;
/** How long a summary is reused: graphile-worker keeps no counters, so each one reads rows. */
export const SUMMARY_TTL_MS = 5_000;

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split("\n")[0].slice(0, 300);

export async function createGraphileSource(config: SourceConfig, control: Database, env: Record<string, string | undefined> = process.env): Promise<Source> {
  const guest = await openGuestDatabase(config, control, env);
  const name = config.name;
  let detected: { at: number; schema: GraphileSchema } | null = null;

  /** Runs a read; an unreachable database (or open breaker) becomes SourceUnavailableError. */
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (isOutage(err)) throw new SourceUnavailableError(name, `${guest.location}: ${firstLine(err)}`);
      throw err;
    }
  };
  const schema = () =>
    guard(async () => {
      if (!detected || Date.now() - detected.at > SCHEMA_TTL_MS) {
        try {
          detected = { at: Date.now(), schema: await detectSchema(guest, config.schema) };
        } catch (err) {
          if (isOutage(err)) throw err;
          throw new SourceUnavailableError(name, firstLine(err));
        }
      }
      return detected.schema;
    });
  const read = <T>(fn: () => Promise<T>): Promise<T> =>
    guard(async () => {
      const s = await schema();
      if (!s.readable) throw new SourceUnavailableError(name, s.reason!);
      return fn();
    });

  const capabilities = (s: GraphileSchema | null): CapabilitySet => {
    const set = capabilitySet(GRAPHILE_MISSING);
    if (config.readOnly) return withoutActions(set, "configured read-only");
    if (s && !s.writable) return withoutActions(set, s.reason!);
    return set;
  };
  const deps = { guest, sourceName: name, schema: config.schema };
  let summary = sharedFor(SUMMARY_TTL_MS, () => read(() => graphileSummary(guest, config.schema)));
  /** After an action the next summary is read afresh. */
  const forgetSummary = () => {
    summary = sharedFor(SUMMARY_TTL_MS, () => read(() => graphileSummary(guest, config.schema)));
  };
  const writable = async (capability: "retry" | "cancel" | "priority" | "runNow" | "recoverStale") => {
    // A configured read-only source refuses without asking its database.
    if (config.readOnly) requireCapability(name, capabilities(null), capability);
    requireCapability(name, capabilities(await schema()), capability);
  };

  return {
    name,
    kind: "graphile-worker",
    parseKey: parseGraphileKey,

    async info(): Promise<SourceInfo> {
      const s = await schema().catch(() => null);
      const caps = capabilities(s);
      const readOnlyReason = config.readOnly ? "configured read-only" : s && !s.writable ? s.reason : null;
      return {
        name,
        kind: "graphile-worker",
        library: "graphile-worker",
        // Jobdeck calls graphile-worker's SQL functions, not its package; the database records only the schema revision.
        libraryVersion: null,
        schemaVersion: s ? String(s.revision) : null,
        location: guest.location,
        readOnly: readOnlyReason !== null,
        readOnlyReason,
        capabilities: caps,
        unsupportedFilters: UNSUPPORTED_FILTERS,
        filterNotes: FILTER_NOTES,
        stateMap: GRAPHILE_STATE_MAP,
      };
    },

    async health(): Promise<SourceHealth> {
      const t0 = performance.now();
      const checkedAt = new Date().toISOString();
      try {
        const [row] = await guest.query<{ ok: boolean }>("select to_regclass($1) is not null as ok", [`${quoteIdent(config.schema)}.jobs`]);
        const latencyMs = Math.round(performance.now() - t0);
        const error = row?.ok ? null : `${guest.location}: no graphile-worker jobs view in schema "${config.schema}"`;
        return { ok: error === null, checkedAt, latencyMs, error, breaker: guest.breaker.state };
      } catch (err) {
        return { ok: false, checkedAt, latencyMs: null, error: `${guest.location}: ${firstLine(err)}`, breaker: guest.breaker.state };
      }
    },

    listJobs: (q) =>
      read(() => {
        requireFilters(name, UNSUPPORTED_FILTERS, q.criteria);
        return listGraphileJobs(guest, config.schema, q);
      }),
    countJobs: (criteria, cap) =>
      read(() => {
        requireFilters(name, UNSUPPORTED_FILTERS, criteria);
        return countGraphileJobs(guest, config.schema, criteria, cap);
      }),
    getJob: (key) => read(() => getGraphileJob(guest, config.schema, key)),
    listWorkers: () => read(() => listGraphileWorkers(guest, config.schema)),
    listStale: () => read(() => listGraphileStale(guest, config.schema)),
    summary: () => summary(),
    // graphile-worker keeps no history to chart ("charts" is missing).
    series: async () => null,

    async preview(input: ActionInput) {
      const keys = checkInput(input, name);
      await writable(input.action);
      if (input.target.criteria) requireFilters(name, UNSUPPORTED_FILTERS, input.target.criteria);
      return read(() => previewGraphileAction(guest, config.schema, input, keys));
    },
    async apply(input: ActionInput, ctx: ActionContext) {
      const keys = checkInput(input, name);
      await writable(input.action);
      if (input.target.criteria) requireFilters(name, UNSUPPORTED_FILTERS, input.target.criteria);
      const result = await read(() => applyGraphileAction(deps, input, keys, ctx));
      forgetSummary();
      return result;
    },
    async recoverStale(input, ctx) {
      await writable("recoverStale");
      const result = await read(() => recoverGraphileStale(deps, input, ctx));
      forgetSummary();
      return result;
    },
    close: () => guest.close(),
  };
}
