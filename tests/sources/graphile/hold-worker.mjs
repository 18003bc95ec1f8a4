// A graphile-worker pool (in a child process of the recover test) whose `hold` task never
// finishes: killed with SIGKILL it leaves its lock behind, exactly as a crashed worker does.
import { Logger, run } from "graphile-worker";

const logger = new Logger(() => () => {});
await run({
  connectionString: process.argv[2],
  concurrency: 1,
  pollInterval: 100,
  noHandleSignals: true,
  logger,
  taskList: { hold: () => new Promise(() => {}) },
});
process.stdout.write("started\n");
