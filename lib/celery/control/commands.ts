// The remote-control commands Jobdeck sends, with the arguments `celery control` sends for each
// (celery/app/control.py: revoke, terminate, rate_limit, pool_grow, pool_shrink, shutdown, ping).
import type { BrokerClient } from "./transport";
import { broadcast, type ControlResult } from "./pidbox";

/** Signals a terminate may send (Celery resolves the name on the worker: celery.platforms.signals). */
export const TERMINATE_SIGNALS = ["SIGTERM", "SIGKILL", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2"] as const;
export type TerminateSignal = (typeof TERMINATE_SIGNALS)[number];

/** Celery's rate strings: "10" (per second), "10/s", "100/m", "1000/h"; "0" removes the limit. */
export const RATE_PATTERN = /^\d{1,9}(\.\d{1,6})?(\/[smh])?$/;

interface Target {
  destination?: readonly string[] | null;
  timeoutMs?: number;
}

/** Revoke (and optionally terminate) tasks: `celery control revoke [--terminate --signal S] id…`. */
export function revoke(b: BrokerClient, taskIds: readonly string[], opts: Target & { terminate?: boolean; signal?: TerminateSignal } = {}): Promise<ControlResult> {
  // One id is sent as a string, several as a list, as Control.revoke passes them through.
  const taskId = taskIds.length === 1 ? taskIds[0] : [...taskIds];
  return broadcast(b, "revoke", { task_id: taskId, terminate: opts.terminate === true, signal: opts.signal ?? "SIGTERM" }, opts);
}

export function rateLimit(b: BrokerClient, taskName: string, rate: string, opts: Target = {}): Promise<ControlResult> {
  return broadcast(b, "rate_limit", { task_name: taskName, rate_limit: rate }, opts);
}

export function poolGrow(b: BrokerClient, n: number, opts: Target = {}): Promise<ControlResult> {
  return broadcast(b, "pool_grow", { n }, opts);
}

export function poolShrink(b: BrokerClient, n: number, opts: Target = {}): Promise<ControlResult> {
  return broadcast(b, "pool_shrink", { n }, opts);
}

/** A worker raises WorkerShutdown on this command before it could reply: nothing comes back. */
export function shutdown(b: BrokerClient, opts: Target = {}): Promise<ControlResult> {
  return broadcast(b, "shutdown", {}, { ...opts, reply: false });
}

export function ping(b: BrokerClient, opts: Target = {}): Promise<ControlResult> {
  return broadcast(b, "ping", {}, opts);
}
