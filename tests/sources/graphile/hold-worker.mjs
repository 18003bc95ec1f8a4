// A graphile-worker pool (in a child process of the recover test) whose `hold` task never
// finishes: killed with SIGKILL it leaves its locks behind, exactly as a crashed worker does.
//   node hold-worker.mjs <database url> [concurrency] [clock shift in seconds]
// A clock shift makes the pool live in the past (graphile-worker's useNodeTime: it locks with
// the Node clock), so its locks are hours old without waiting hours; SIGUSR2 sets the clock
// right again, so the same pool can then take a fresh lock.
import { Logger, run } from "graphile-worker";

const [url, concurrency = "1", shift = "0"] = process.argv.slice(2);
let shiftMs = Number(shift) * 1000;
process.on("SIGUSR2", () => {
  shiftMs = 0;
});
if (shiftMs) {
  const RealDate = Date;
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() - shiftMs);
      else super(...args);
    }
    static now() {
      return RealDate.now() - shiftMs;
    }
  };
}
await run({
  connectionString: url,
  concurrency: Number(concurrency),
  pollInterval: 100,
  noHandleSignals: true,
  logger: new Logger(() => () => {}),
  taskList: { hold: () => new Promise(() => {}) },
  preset: { worker: { useNodeTime: true } },
});
process.stdout.write("started\n");
