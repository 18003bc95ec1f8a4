// Shared plumbing for bench worker processes: IPC with the orchestrator, periodic progress
// reports, and "exit if the orchestrator goes away" so a crashed bench never leaves workers behind.
import type { ChildMessage, ParentMessage, WorkerFinal, WorkerProgress } from "./protocol";

export interface ChildHooks {
  /** Start claiming. Called once on "go". */
  start(): Promise<void>;
  /** Stop and report. Called once on "stop". */
  stop(): Promise<Omit<WorkerFinal, "type" | "cpuMs">>;
  progress(): Omit<WorkerProgress, "type">;
}

function send(msg: ChildMessage): void {
  if (process.connected) process.send!(msg);
}

export function runChild(hooks: ChildHooks): void {
  if (!process.send) {
    console.error("this is a bench worker: start it through scripts/bench-queue.ts (it needs an IPC channel)");
    process.exit(2);
  }
  // The orchestrator died or closed the channel: leave at once.
  const onDisconnect = () => process.exit(3);
  process.on("disconnect", onDisconnect);
  // Hard ceiling: a bench worker never outlives 10 minutes whatever happens.
  setTimeout(() => {
    console.error(`bench worker ${process.pid}: 10-minute safety limit reached, exiting`);
    process.exit(4);
  }, 600_000).unref();

  let timer: NodeJS.Timeout | null = null;
  let lastSent = -1;
  const report = () => {
    const p = hooks.progress();
    if (p.completed === lastSent) return;
    lastSent = p.completed;
    send({ type: "progress", ...p });
  };

  let cpuAtGo: NodeJS.CpuUsage | undefined;
  process.on("message", (raw: ParentMessage) => {
    if (raw.type === "go") {
      cpuAtGo = process.cpuUsage();
      hooks
        .start()
        .then(() => {
          timer = setInterval(report, 20);
        })
        .catch((err: Error) => {
          send({ type: "error", message: `start failed: ${err.stack ?? err.message}` });
          process.exit(1);
        });
    } else if (raw.type === "stop") {
      if (timer) clearInterval(timer);
      hooks
        .stop()
        .then((final) => {
          // Leave once the (possibly large) message has been handed to the channel.
          process.off("disconnect", onDisconnect);
          const cpu = process.cpuUsage(cpuAtGo);
          const cpuMs = (cpu.user + cpu.system) / 1000;
          process.send!({ type: "final", ...final, cpuMs } satisfies ChildMessage, undefined, {}, (err) => {
            if (err) console.error(`bench worker ${process.pid}: could not send results: ${err.message}`);
            process.disconnect();
            process.exit(err ? 1 : 0);
          });
        })
        .catch((err: Error) => {
          send({ type: "error", message: `stop failed: ${err.stack ?? err.message}` });
          process.exit(1);
        });
    }
  });
  send({ type: "ready", pid: process.pid });
}
