// Runs the real app for the API contract tests: the production build of this repo (`npx next
// build`, which `npm test` runs first) started with `next start` on its own port against its
// own database. JOBDECK_API_TEST_APP_DIR points at another directory holding a build.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/** The directory of a production build; refuses to guess when there is none. */
export async function appDir(): Promise<string> {
  const dir = process.env.JOBDECK_API_TEST_APP_DIR ?? root;
  if (!existsSync(path.join(dir, ".next", "BUILD_ID"))) {
    throw new Error(`no production build in ${dir}: run \`npx next build\` first (npm test does)`);
  }
  return dir;
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
  output(): string;
}

/** `next start` on `port` with DATABASE_URL; resolves once it answers HTTP. */
export async function startServer(opts: { port: number; databaseUrl: string; env?: Record<string, string> }): Promise<RunningServer> {
  const dir = await appDir();
  let log = "";
  const child: ChildProcess = spawn(process.execPath, [path.join(dir, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(opts.port), "-H", "127.0.0.1"], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: "production", DATABASE_URL: opts.databaseUrl, JOBDECK_DEMO: "0", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${log}`);
    try {
      await fetch(`${url}/api/v1/stats`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
