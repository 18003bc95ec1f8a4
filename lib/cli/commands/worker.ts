import { runWorkerProcess } from "../../worker/process";
import { csv, parseOptions, positiveInt } from "../args";
import type { Command } from "../commands";
import { usageError } from "../errors";

export const workerCommand: Command = {
  summary: "run a worker process for a handlers module",
  help: `Usage: jobdeck worker --handlers <module> [--queues a,b] [--concurrency N]

Runs jobs of the kinds the module's default export maps to handler functions:
  export default { "send-email": async (payload, ctx) => { ... } }
ctx carries job, signal (aborts on cancel, lost lease, shutdown) and progress(fraction, message).
Throw PermanentError (from "jobdeck/lib/worker") to dead-letter a job at once.

Options:
  --handlers <module>  path to the handlers module (.js, .mjs or .ts)
  --queues a,b         queues to work (default: every queue)
  --concurrency N      jobs run at once (default 4)

SIGTERM or SIGINT stops claiming, lets in-flight jobs finish within
JOBDECK_SHUTDOWN_GRACE_SECONDS (default 20), releases the rest and marks the worker stopped.`,
  async run(args) {
    const { values } = parseOptions(args, {
      handlers: { type: "string" },
      queues: { type: "string" },
      concurrency: { type: "string" },
    });
    if (!values.handlers) throw usageError("--handlers <module> is required");
    await runWorkerProcess({
      handlersPath: values.handlers,
      queues: csv(values.queues),
      concurrency: positiveInt(values.concurrency, "--concurrency", 4),
    });
  },
};
