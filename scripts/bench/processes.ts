// Starts and supervises bench worker processes. Every child is tracked so the orchestrator can
// kill all of them on any exit path; every wait has a deadline.
import { type ChildProcess, spawn } from "node:child_process";
import type { ChildMessage, WorkerFinal, WorkerProgress } from "./protocol";
import { now } from "./protocol";

const live = new Set<ChildProcess>();

/** SIGKILLs every bench child still running (used on errors, signals and exit). */
export function killAllChildren(): void {
  for (const c of live) {
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
  live.clear();
}

export interface Fleet {
  /** Latest progress of each child. */
  progress: Omit<WorkerProgress, "type">[];
  go(): void;
  /** Resolves when the children together completed `total` jobs; rejects on timeout or a child's death. */
  waitCompleted(total: number, timeoutMs: number, onTick?: (done: number) => void): Promise<number>;
  stop(timeoutMs: number): Promise<WorkerFinal[]>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

export interface StartOptions {
  entry: string;
  count: number;
  env: Record<string, string>;
  cwd: string;
  readyTimeoutMs: number;
  label: string;
}

/** Spawns `count` children of `entry` and resolves once all of them reported "ready". */
export async function startFleet(opts: StartOptions): Promise<Fleet> {
  const children: ChildProcess[] = [];
  const progress: Omit<WorkerProgress, "type">[] = [];
  const finals: (WorkerFinal | undefined)[] = [];
  let failure: Error | null = null;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  const ready = new Set<number>();

  for (let i = 0; i < opts.count; i++) {
    progress.push({ completed: 0, firstClaimAt: null, lastCompleteAt: null });
    finals.push(undefined);
    const child = spawn(process.execPath, ["bin/run-ts.mjs", opts.entry], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    live.add(child);
    children.push(child);
    child.on("message", (m: ChildMessage) => {
      if (m.type === "ready") ready.add(i);
      else if (m.type === "progress") progress[i] = { completed: m.completed, firstClaimAt: m.firstClaimAt, lastCompleteAt: m.lastCompleteAt };
      else if (m.type === "final") {
        finals[i] = m;
        progress[i] = { completed: m.completed, firstClaimAt: m.firstClaimAt, lastCompleteAt: m.lastCompleteAt };
      } else if (m.type === "error") failure ??= new Error(`${opts.label} worker #${i} (pid ${child.pid}): ${m.message}`);
      notify();
    });
    child.on("exit", (code, signal) => {
      live.delete(child);
      if (!finals[i]) failure ??= new Error(`${opts.label} worker #${i} (pid ${child.pid}) exited early (code ${code}, signal ${signal})`);
      notify();
    });
  }

  const until = (pred: () => boolean, ms: number, what: string) =>
    withTimeout(
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (failure) {
            listeners.delete(check);
            reject(failure);
          } else if (pred()) {
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        check();
      }),
      ms,
      what,
    );

  try {
    await until(() => ready.size === opts.count, opts.readyTimeoutMs, `${opts.count} ${opts.label} workers to start`);
  } catch (err) {
    killAllChildren();
    throw err;
  }

  return {
    progress,
    go() {
      for (const c of children) c.send({ type: "go" });
    },
    async waitCompleted(total, timeoutMs, onTick) {
      const started = now();
      const tick = onTick ? setInterval(() => onTick(progress.reduce((s, p) => s + p.completed, 0)), 1_000) : null;
      try {
        await until(() => progress.reduce((s, p) => s + p.completed, 0) >= total, timeoutMs, `${opts.label}: ${total} jobs to complete`);
      } finally {
        if (tick) clearInterval(tick);
      }
      return now() - started;
    },
    async stop(timeoutMs) {
      for (const c of children) if (c.connected) c.send({ type: "stop" });
      await until(() => finals.every(Boolean), timeoutMs, `${opts.label} workers to stop`);
      // They exit on their own right after "final"; make sure none lingers.
      await withTimeout(
        Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once("exit", r))))),
        5_000,
        `${opts.label} workers to exit`,
      ).catch(() => children.forEach((c) => c.kill("SIGKILL")));
      return finals as WorkerFinal[];
    },
  };
}
