// Every source Jobdeck shows: the native `jobdeck` first, then JOBDECK_SOURCES in order. Foreign
// adapters are created lazily on first use, and a source whose database cannot be reached when
// it is first asked is not fatal: it answers SourceUnavailableError (pages show a banner, the
// API a 503) and is tried again on the next request, while the other sources keep working.
import type { Database } from "../../db/client";
import { describeDbError } from "../../db/outage";
import { capabilitySet, withoutActions } from "./capabilities";
import { type AnySourceConfig, readSourcesConfig } from "./config";
import { createNativeSource } from "./native";
import { type Source, type SourceInfo, SourceUnavailableError } from "./types";

export type SourceFactory<C extends AnySourceConfig = AnySourceConfig> = (config: C, control: Database) => Promise<Source>;
export type SourceFactories = { [K in AnySourceConfig["kind"]]: () => Promise<SourceFactory<Extract<AnySourceConfig, { kind: K }>>> };

/** Adapters by kind, loaded only when a source of that kind is configured. */
const FACTORIES: SourceFactories = {
  "pg-boss": async () => (await import("./pgboss")).createPgBossSource,
  "graphile-worker": async () => (await import("./graphile")).createGraphileSource,
  celery: async () => (await import("./celery")).createCelerySource,
};

export interface SourceRegistry {
  /** Native first, then configured order. */
  readonly all: readonly Source[];
  get(name: string): Source | null;
  readonly native: Source;
  close(): Promise<void>;
}

/** A placeholder info for a source whose adapter could not be created yet. */
function unavailableInfo(c: AnySourceConfig, error: string): SourceInfo {
  const caps = withoutActions(capabilitySet({}), `the source is unavailable: ${error}`);
  return {
    name: c.name,
    kind: c.kind,
    library: c.kind,
    libraryVersion: null,
    schemaVersion: null,
    location: "unavailable",
    readOnly: true,
    readOnlyReason: `the source is unavailable: ${error}`,
    capabilities: caps,
    unsupportedFilters: {},
    stateMap: [],
  };
}

/** A foreign source created on first use; creation failures surface as SourceUnavailableError. */
function lazySource(config: AnySourceConfig, control: Database, factory: () => Promise<SourceFactory>): Source {
  let created: Promise<Source> | null = null;
  const ensure = (): Promise<Source> => {
    if (!created) {
      const attempt = factory()
        .then((f) => f(config, control))
        .catch((err) => {
          throw new SourceUnavailableError(config.name, describeDbError(err));
        });
      created = attempt;
      attempt.catch(() => {
        if (created === attempt) created = null;
      });
    }
    return created;
  };
  const call =
    <K extends keyof Source>(k: K) =>
    async (...args: unknown[]) =>
      ((await ensure())[k] as (...a: unknown[]) => unknown)(...args);
  return {
    name: config.name,
    kind: config.kind,
    parseKey: (raw) => (raw.length > 0 && raw.length <= 300 ? raw : null),
    async info() {
      try {
        return await (await ensure()).info();
      } catch (err) {
        return unavailableInfo(config, err instanceof SourceUnavailableError ? err.detail : describeDbError(err));
      }
    },
    async health() {
      try {
        return await (await ensure()).health();
      } catch (err) {
        return { ok: false, checkedAt: new Date().toISOString(), latencyMs: null, error: err instanceof SourceUnavailableError ? err.detail : describeDbError(err), breaker: "closed" };
      }
    },
    listJobs: call("listJobs") as Source["listJobs"],
    countJobs: call("countJobs") as Source["countJobs"],
    getJob: call("getJob") as Source["getJob"],
    listWorkers: call("listWorkers") as Source["listWorkers"],
    listStale: call("listStale") as Source["listStale"],
    summary: call("summary") as Source["summary"],
    series: call("series") as Source["series"],
    preview: call("preview") as Source["preview"],
    apply: call("apply") as Source["apply"],
    recoverStale: call("recoverStale") as Source["recoverStale"],
    async close() {
      const s = await created?.catch(() => null);
      await s?.close();
    },
  };
}

/** `read`: where the native source's reads go (the app's read handle: a replica when configured). */
export function openSources(
  control: Database,
  configs: readonly AnySourceConfig[] = readSourcesConfig(),
  factories: SourceFactories = FACTORIES,
  read: Database = control,
): SourceRegistry {
  const native = createNativeSource(control, read);
  // Each factory takes its own kind's config: the lookup by c.kind guarantees it.
  const all: Source[] = [native, ...configs.map((c) => lazySource(c, control, factories[c.kind] as () => Promise<SourceFactory>))];
  const byName = new Map(all.map((s) => [s.name, s]));
  return {
    all,
    native,
    get: (name) => byName.get(name) ?? null,
    close: async () => {
      await Promise.all(all.map((s) => s.close().catch(() => {})));
    },
  };
}
