// The Celery source: a Source over the celery_* tables the bridge (lib/celery) fills from the
// broker's events, in the CONTROL database (so reads need no guest pool), acting through the
// broker itself (lib/celery/control): cancel is Celery's revoke, retry an exact re-send. What
// Celery cannot do (priority, run now, recovering a task from a dead worker) is a missing
// capability with its reason; Celery-only operations (terminate, rate limit, pool, shutdown)
// live in ./operations. Health is the broker answering and the bridge listening.
import type { Database } from "../../../db/client";
import { describeDbError } from "../../../db/outage";
import { brokerErrorText, parseBrokerUrl } from "../../celery/control/broker-url";
import { withBroker } from "../../celery/control/pidbox";
import { sharedFor } from "../cache";
import { requireCapability, requireFilters } from "../capabilities";
import type { CelerySourceConfig } from "../config";
import type { ActionContext, ActionInput, Source, SourceHealth, SourceInfo } from "../types";
import { applyCeleryAction, type CeleryDeps, previewCeleryAction } from "./actions";
import { bridgeNotices, bridgeProblem, readBridgeStatus } from "./bridge";
import { UNSUPPORTED_FILTERS } from "./criteria";
import { getCeleryTask } from "./detail";
import { celeryCapabilities, celeryInfo, newestWorkerVersion } from "./info";
import { parseCeleryKey } from "./keys";
import { boundedRead } from "./read";
import { countCeleryTasks, listCeleryTasks } from "./reads";
import { celerySummary } from "./summary";
import { listCeleryStale, listCeleryWorkers } from "./workers";

export const SUMMARY_TTL_MS = 5_000;
/** A broker ping is reused this long: every page view asks for health. */
const PING_TTL_MS = 3_000;

export async function createCelerySource(config: CelerySourceConfig, control: Database): Promise<Source> {
  const address = parseBrokerUrl(config.broker);
  const name = config.name;
  const read = <T>(fn: Parameters<typeof boundedRead<T>>[1]) => boundedRead(control, fn);
  const deps: CeleryDeps = { control, config, location: address.location };
  const capabilities = celeryCapabilities(config);
  const newSummary = () => sharedFor(SUMMARY_TTL_MS, () => read((q) => celerySummary(q, name)));
  let summary = newSummary();
  const ping = sharedFor(PING_TTL_MS, async () => {
    const t0 = performance.now();
    try {
      await withBroker(address, (b) => b.ping());
      return { ok: true as const, latencyMs: Math.round(performance.now() - t0) };
    } catch (err) {
      return { ok: false as const, error: `${address.location}: ${brokerErrorText(err)}` };
    }
  });
  const acting = (action: ActionInput["action"]) => {
    requireCapability(name, capabilities, action);
  };

  return {
    name,
    kind: "celery",
    parseKey: parseCeleryKey,

    async info(): Promise<SourceInfo> {
      try {
        const [version, bridge] = await read((q) => Promise.all([newestWorkerVersion(q, name), readBridgeStatus(q, name)]));
        return celeryInfo(config, address.location, version, bridgeNotices(bridge, name));
      } catch (err) {
        // The tables are in the control database: when it cannot be read, say so instead of failing the page.
        return celeryInfo(config, address.location, null, [{ tone: "bad", text: `The Celery tables cannot be read: ${describeDbError(err)}` }]);
      }
    },

    async health(): Promise<SourceHealth> {
      const checkedAt = new Date().toISOString();
      const [broker, bridge] = await Promise.all([ping(), read((q) => readBridgeStatus(q, name)).catch((err: unknown) => describeDbError(err))]);
      if (!broker.ok) return { ok: false, checkedAt, latencyMs: null, error: broker.error, breaker: "closed" };
      if (typeof bridge === "string") return { ok: false, checkedAt, latencyMs: broker.latencyMs, error: `the Celery tables cannot be read: ${bridge}`, breaker: "closed" };
      const error = bridgeProblem(bridge);
      return { ok: error === null, checkedAt, latencyMs: broker.latencyMs, error, breaker: "closed" };
    },

    listJobs: async (q) => {
      requireFilters(name, UNSUPPORTED_FILTERS, q.criteria);
      return read((s) => listCeleryTasks(s, name, q));
    },
    countJobs: async (criteria, cap) => {
      requireFilters(name, UNSUPPORTED_FILTERS, criteria);
      return read((s) => countCeleryTasks(s, name, criteria, cap));
    },
    getJob: (key) => read((q) => getCeleryTask(q, name, key)),
    listWorkers: () => read((q) => listCeleryWorkers(q, name)),
    listStale: () => read((q) => listCeleryStale(q, name)),
    summary: () => summary(),
    // "charts" is missing (./info says why); depth comes from Jobdeck's sampler.
    series: async () => null,

    async preview(input: ActionInput) {
      acting(input.action);
      if (input.target.criteria) requireFilters(name, UNSUPPORTED_FILTERS, input.target.criteria);
      return previewCeleryAction(deps, input);
    },
    async apply(input: ActionInput, ctx: ActionContext) {
      acting(input.action);
      if (input.target.criteria) requireFilters(name, UNSUPPORTED_FILTERS, input.target.criteria);
      try {
        return await applyCeleryAction(deps, input, ctx);
      } finally {
        summary = newSummary();
      }
    },
    async recoverStale() {
      requireCapability(name, capabilities, "recoverStale");
      throw new Error("unreachable: recoverStale is never supported by Celery");
    },
    close: async () => {},
  };
}
