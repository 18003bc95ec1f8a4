// Helpers for the graphile-worker source tests: a real graphile-worker 0.17 installed in a test
// database by its own migrations, jobs added with its own WorkerUtils, and its own runOnce/run
// workers processing them. No graphile-worker table is ever written by these helpers.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Logger, makeWorkerUtils, run, runMigrations, runOnce, type Runner, type TaskList, type WorkerUtils } from "graphile-worker";
import pg from "pg";
import type { Database } from "../../../db/client";
import { createGraphileSource } from "../../../lib/sources/graphile";
import type { SourceConfig } from "../../../lib/sources/config";
import type { ActionContext, Source } from "../../../lib/sources/types";

export const silentLogger = new Logger(() => () => {});

export async function installGraphileWorker(url: string): Promise<WorkerUtils> {
  await runMigrations({ connectionString: url, logger: silentLogger });
  return makeWorkerUtils({ connectionString: url, logger: silentLogger });
}

/** graphile-worker's runOnce with one worker: runs every job that is due for these tasks, then returns. */
export async function runOnceWith(url: string, taskList: TaskList): Promise<void> {
  await runOnce({ connectionString: url, taskList, logger: silentLogger, noHandleSignals: true, concurrency: 1 });
}

/** A continuous worker pool; stop it with `runner.stop()`. */
export async function startWorker(url: string, taskList: TaskList): Promise<Runner> {
  return run({ connectionString: url, taskList, logger: silentLogger, noHandleSignals: true, concurrency: 1, pollInterval: 100 });
}

export function sourceConfig(over: Partial<SourceConfig> = {}): SourceConfig {
  return { name: "mail", kind: "graphile-worker", url: null, schema: "graphile_worker", readOnly: false, ...over };
}

/** A source whose control database is `controlUrl` (DATABASE_URL as the app would have it). */
export function openSource(config: SourceConfig, control: Database, controlUrl: string): Promise<Source> {
  return createGraphileSource(config, control, { ...process.env, DATABASE_URL: controlUrl });
}

export function ctx(control: Database, over: Partial<ActionContext> = {}): ActionContext {
  return { control, actor: { name: "ops@example.com", roles: ["operator"] }, reason: "test", auditPrefix: "jobs", ...over };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads graphile-worker's own view (test assertions only). */
export async function viewRow(url: string, id: string): Promise<Record<string, unknown> | null> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query("select *, attempts::int as attempts from graphile_worker.jobs where id = $1::bigint", [id]);
    return rows[0] ?? null;
  } finally {
    await c.end();
  }
}

/**
 * A worker pool in a child process that takes `hold` jobs and never finishes them; kill it with
 * killHard to leave the locks behind as a crashed worker does.
 */
export function spawnHoldingWorker(url: string, opts: { concurrency?: number; clockShiftSeconds?: number } = {}): ChildProcess {
  const args = [path.join(import.meta.dirname, "hold-worker.mjs"), url, String(opts.concurrency ?? 1), String(opts.clockShiftSeconds ?? 0)];
  return spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
}

/** SIGKILL: the pool dies holding its locks, as a crashed host's worker does. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}
