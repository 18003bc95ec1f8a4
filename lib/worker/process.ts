// Runs a worker as its own process: loads a handlers module, opens the database, applies
// migrations, and turns SIGTERM/SIGINT into a graceful stop.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { openDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";
import type { Handlers } from "./types";
import { createWorker } from "./worker";

/** Imports a handlers module; its default export maps job kind → handler. */
export async function loadHandlers(modulePath: string): Promise<Handlers> {
  const url = pathToFileURL(path.resolve(modulePath)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot load handlers module ${modulePath}: ${(err as Error).message}`);
  }
  // CommonJS modules loaded through ESM wrap their export once more.
  let handlers = mod.default as Record<string, unknown> | undefined;
  if (handlers && typeof handlers === "object" && "default" in handlers && typeof handlers.default === "object") {
    handlers = handlers.default as Record<string, unknown>;
  }
  if (!handlers || typeof handlers !== "object") {
    throw new Error(`handlers module ${modulePath} has no default export mapping job kinds to functions`);
  }
  const bad = Object.entries(handlers).filter(([, fn]) => typeof fn !== "function").map(([k]) => k);
  if (bad.length) throw new Error(`handlers module ${modulePath}: not a function: ${bad.join(", ")}`);
  return handlers as Handlers;
}

export interface WorkerProcessOptions {
  handlersPath: string;
  queues?: string[];
  concurrency?: number;
}

export async function runWorkerProcess(opts: WorkerProcessOptions): Promise<void> {
  const handlers = await loadHandlers(opts.handlersPath);
  const concurrency = opts.concurrency ?? 4;
  const db = await openDatabase({ max: concurrency + 3, applicationName: "jobdeck-worker" });
  await migrate(db);
  const worker = createWorker({ db, handlers, queues: opts.queues, concurrency });
  await worker.start();
  console.error(
    `jobdeck worker ${worker.id} started on ${db.label}: queues ${opts.queues?.join(",") || "(all)"}, concurrency ${concurrency}, kinds ${Object.keys(handlers).join(",")}`,
  );
  const shutdown = (signal: string) => {
    console.error(`jobdeck worker ${worker.id}: ${signal} received, finishing in-flight jobs`);
    void worker.stop();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  await worker.stopped;
  await db.close();
  console.error(`jobdeck worker ${worker.id} stopped (processed ${worker.counters.processed}, failed ${worker.counters.failed})`);
}
