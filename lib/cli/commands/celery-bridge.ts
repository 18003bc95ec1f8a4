// `jobdeck celery-bridge --source NAME`: the Celery event bridge of one source as its own process,
// for those who run the app server with JOBDECK_CELERY_BRIDGE=off. It takes the same leader lock
// as the server's bridges, so the two never write one source twice; it waits (as a follower)
// while another process holds it. Runs until SIGINT or SIGTERM, then writes what it buffered,
// marks the bridge stopped and exits 0.
import { openDatabase } from "../../../db/client";
import { migrate } from "../../../db/migrate";
import { startCeleryBridge } from "../../celery/bridge";
import { describeBroker } from "../../celery/stream";
import { readSourcesConfig, SourceConfigError } from "../../sources/config";
import { parseOptions } from "../args";
import type { Command } from "../commands";
import { usageError } from "../errors";

export const celeryBridgeCommand: Command = {
  summary: "listen to a Celery source's events and record them (until stopped)",
  help: `Usage: jobdeck celery-bridge --source NAME

Subscribes to the event stream of the Celery source NAME of JOBDECK_SOURCES (its broker:
redis:// or amqp://) and records tasks, workers and gaps into the database of DATABASE_URL,
as the app server does by itself unless it runs with JOBDECK_CELERY_BRIDGE=off.

Only one bridge per source writes at a time (an advisory lock in the database): a standalone
bridge and a server, or two bridges, never record the same events twice; the one that does
not hold the lock waits and takes over when the holder stops. Celery workers must send events:
start them with -E (or worker_send_task_events = True), and set task_send_sent_event = True
for PENDING tasks.

Options:
  --source NAME   the celery source (required)

Runs until SIGINT or SIGTERM, then writes the events it buffered and exits 0.
Exit codes: 2 bad usage or unknown source, 1 failure.`,
  async run(args) {
    const { values } = parseOptions(args, { source: { type: "string" } });
    const name = values.source?.trim();
    if (!name) throw usageError("--source NAME is required (a celery source of JOBDECK_SOURCES)");
    let configs;
    try {
      configs = readSourcesConfig();
    } catch (err) {
      if (err instanceof SourceConfigError) throw usageError(err.message);
      throw err;
    }
    const config = configs.find((c) => c.name === name);
    const celery = configs.filter((c) => c.kind === "celery").map((c) => c.name);
    if (!config) throw usageError(`unknown source "${name}"; celery sources: ${celery.join(", ") || "none (JOBDECK_SOURCES has no kind \"celery\" entry)"}`);
    if (config.kind !== "celery") throw usageError(`source "${name}" is a ${config.kind} source, not a celery one; celery sources: ${celery.join(", ") || "none"}`);

    const db = await openDatabase({ max: 3, applicationName: `jobdeck-celery-bridge:${name}`.slice(0, 63) });
    try {
      await migrate(db);
      const log = (line: string) => process.stderr.write(`jobdeck celery-bridge ${name}: ${line}\n`);
      log(`starting on ${db.label} for ${describeBroker(config.broker)}`);
      const bridge = startCeleryBridge({ config, db, databaseUrl: db.kind === "postgres" ? (process.env.DATABASE_URL ?? null) : null, log });
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      log(`${signal}: stopping`);
      await bridge.stop();
      const s = bridge.stats();
      log(`stopped (received ${s.received} events, wrote ${s.written})`);
    } finally {
      await db.close();
    }
  },
};
