// Celery-only remote control, beyond the Source actions every source shares: terminate a running
// task (revoke with terminate and a signal), set a task name's rate limit, grow or shrink a
// worker's pool, shut a worker down. Each is one pidbox broadcast to one worker (or every
// worker, where that makes sense), audited intent → outcome (the broker is outside the control
// database) with what the workers answered. Roles are checked by the doors that call these
// (server actions, API routes): operator for terminate and rate limits, admin for pool and shutdown.
import type { Database } from "../../../db/client";
import type { Actor } from "../../audit/record";
import { poolGrow, poolShrink, rateLimit, revoke, shutdown, type TerminateSignal } from "../../celery/control/commands";
import { type ControlResult, withBroker } from "../../celery/control/pidbox";
import { parseBrokerUrl } from "../../celery/control/broker-url";
import { QueueError } from "../../queue/state-machine";
import { auditedRemoteAction } from "../audited-action";
import type { CelerySourceConfig } from "../config";
import { CapabilityError } from "../types";
import { parseCeleryKey } from "./keys";
import { boundedRead } from "./read";

/** Every worker (`*` in the API path): rate limits and pool sizes only, never a shutdown. */
export const ALL_WORKERS = "*";

export interface OperationContext {
  control: Database;
  actor: Actor;
  reason: string | null;
  /** `celery` (pages) or `api.celery` (API): the audit action is `<prefix>.<operation>`. */
  auditPrefix: string;
}

export interface OperationResult {
  source: string;
  command: string;
  destination: string[] | null;
  /** At least one worker said ok (for shutdown, which Celery never answers: the broker took it). */
  acknowledged: boolean;
  replies: ControlResult["replies"];
  /** "worker X acknowledged: pool will grow", "no worker replied within 2 s". */
  message: string;
  auditId: number;
}

function writable(config: CelerySourceConfig, operation: string): void {
  if (config.readOnly) throw new CapabilityError(config.name, `operation:${operation}`, "configured read-only (readOnly: true): Jobdeck sends this source no remote control");
}

async function requireWorker(control: Database, config: CelerySourceConfig, hostname: string): Promise<void> {
  const [w] = await boundedRead(control, (q) => q.query<{ hostname: string }>("select hostname from celery_workers where source = $1 and hostname = $2", [config.name, hostname]));
  if (!w) throw new QueueError("not_found", `worker ${hostname.slice(0, 200)} has never been seen in source "${config.name}"`);
}

/** Sends `send` to the broker, audited; `acked` says whether the replies count as done. */
async function audited(
  config: CelerySourceConfig,
  ctx: OperationContext,
  operation: string,
  target: { keys: string[] | null; worker: string | null; details: Record<string, unknown> },
  send: (b: Parameters<Parameters<typeof withBroker>[1]>[0]) => Promise<ControlResult>,
): Promise<OperationResult> {
  let result: ControlResult | null = null;
  const o = await auditedRemoteAction({
    control: ctx.control,
    source: config.name,
    actor: ctx.actor,
    action: `${ctx.auditPrefix}.${operation}`,
    reason: ctx.reason,
    targetKeys: target.keys,
    filter: target.worker ? { worker: target.worker } : undefined,
    details: target.details,
    where: { broker: parseBrokerUrl(config.broker).location },
    run: async () => {
      const r = (result = await withBroker(config.broker, send));
      // Shutdown has no reply: the broker's subscriber count says whether any worker heard it (Redis), else it was sent.
      const acked = r.replyExpected ? r.replies.filter((x) => x.error === null).length : r.receivers === 0 ? 0 : 1;
      const why = acked ? {} : { [r.summary]: 1 };
      return { affected: acked, changed: target.keys ?? [], skipped: why, details: { replies: r.replies, result: r.summary, ...(r.receivers !== null ? { receivers: r.receivers } : {}) } };
    },
  });
  const r = result as ControlResult | null;
  if (!r) throw new Error("the broadcast returned nothing");
  const message = !r.replyExpected && r.receivers === 0 ? "no worker is listening on the broker: nothing received it" : r.summary;
  return { source: config.name, command: r.command, destination: r.destination, acknowledged: o.affected > 0, replies: r.replies, message, auditId: o.auditId };
}

export async function terminateCeleryTask(config: CelerySourceConfig, ctx: OperationContext, rawKey: string, signal: TerminateSignal = "SIGTERM"): Promise<OperationResult> {
  writable(config, "terminate");
  const key = parseCeleryKey(rawKey);
  const [task] = key
    ? await boundedRead(ctx.control, (q) => q.query<{ state: string; worker: string | null }>("select state, worker from celery_tasks where source = $1 and task_id = $2", [config.name, key]))
    : [];
  if (!key || !task) throw new QueueError("not_found", `task ${rawKey.slice(0, 100)} does not exist in source "${config.name}"`);
  if (task.state !== "STARTED") {
    throw new QueueError("conflict", `task ${key} is ${task.state}, not running: terminate stops a running task${["PENDING", "RECEIVED", "RETRY"].includes(task.state) ? "; cancel (revoke) it so it never starts" : ""}`);
  }
  // To the worker running it, when known (its reply then ends the wait); else to every worker, as `celery control terminate` does.
  const destination = task.worker ? [task.worker] : null;
  return audited(config, ctx, "terminate", { keys: [key], worker: task.worker, details: { command: "revoke", terminate: true, signal, destination } }, (b) =>
    revoke(b, [key], { terminate: true, signal, destination }),
  );
}

async function destinationOf(config: CelerySourceConfig, ctx: OperationContext, hostname: string): Promise<string[] | null> {
  if (hostname === ALL_WORKERS) return null;
  await requireWorker(ctx.control, config, hostname);
  return [hostname];
}

export async function setCeleryRateLimit(config: CelerySourceConfig, ctx: OperationContext, hostname: string, taskName: string, rate: string): Promise<OperationResult> {
  writable(config, "rate_limit");
  const destination = await destinationOf(config, ctx, hostname);
  return audited(config, ctx, "rate_limit", { keys: null, worker: hostname, details: { command: "rate_limit", task_name: taskName, rate_limit: rate, destination } }, (b) =>
    rateLimit(b, taskName, rate, { destination }),
  );
}

export async function resizeCeleryPool(config: CelerySourceConfig, ctx: OperationContext, hostname: string, direction: "grow" | "shrink", n: number): Promise<OperationResult> {
  writable(config, `pool_${direction}`);
  const destination = await destinationOf(config, ctx, hostname);
  return audited(config, ctx, `pool_${direction}`, { keys: null, worker: hostname, details: { command: `pool_${direction}`, n, destination } }, (b) =>
    direction === "grow" ? poolGrow(b, n, { destination }) : poolShrink(b, n, { destination }),
  );
}

export async function shutdownCeleryWorker(config: CelerySourceConfig, ctx: OperationContext, hostname: string): Promise<OperationResult> {
  writable(config, "shutdown");
  if (hostname === ALL_WORKERS) throw new QueueError("invalid_input", "shut down one worker at a time: name it (celery@host)");
  await requireWorker(ctx.control, config, hostname);
  return audited(config, ctx, "shutdown", { keys: null, worker: hostname, details: { command: "shutdown", destination: [hostname] } }, (b) => shutdown(b, { destination: [hostname] }));
}
