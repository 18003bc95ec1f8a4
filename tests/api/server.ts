// Runs the real app for the API contract tests: the production build of this repo (`npx next
// build`, which `npm test` runs first) started with `next start` on its own port against its
// own database. JOBDECK_API_TEST_APP_DIR points at another directory holding a build.
// A production server refuses to start without sign-in (lib/server/startup.ts): these servers
// allow the demo sign-in on purpose (JOBDECK_DEMO_AUTH=1) with a fixed test secret, and ignore
// any OIDC_* / NEXTAUTH_URL of the environment the tests run in.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
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

/** A port nothing listens on now: test files run in parallel, so fixed ports collide (and a collision answers from the wrong server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
  output(): string;
}

/** Environment overrides; `undefined` removes a variable. */
export type ServerEnv = Record<string, string | undefined>;

export const TEST_NEXTAUTH_SECRET = "jobdeck-api-tests-secret-0123456789abcdef";

function serverEnv(databaseUrl: string, env: ServerEnv = {}): NodeJS.ProcessEnv {
  const out: Record<string, string | undefined> = {
    ...process.env,
    OIDC_ISSUER: undefined,
    OIDC_CLIENT_ID: undefined,
    OIDC_CLIENT_SECRET: undefined,
    NEXTAUTH_URL: undefined,
    AUTH_SECRET: undefined,
    OIDC_ROLES_CLAIM: undefined,
    JOBDECK_ROLE_MAP: undefined,
    JOBDECK_SESSION_HOURS: undefined,
    JOBDECK_METRICS_PUBLIC: undefined,
    JOBDECK_BULK_CONFIRM_THRESHOLD: undefined,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    JOBDECK_DEMO: "0",
    JOBDECK_DEMO_AUTH: "1",
    NEXTAUTH_SECRET: TEST_NEXTAUTH_SECRET,
    ...env,
  };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out as NodeJS.ProcessEnv;
}

function spawnNext(dir: string, port: number, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [path.join(dir, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * `next start` that is expected to refuse to start: resolves with its exit code and output once
 * it exits (killed after 60 s if it does not, which the caller's assertions then report).
 */
export async function startServerExpectingExit(opts: { port?: number; databaseUrl: string; env?: ServerEnv }): Promise<{ code: number | null; output: string }> {
  const dir = await appDir();
  const child = spawnNext(dir, opts.port ?? (await freePort()), serverEnv(opts.databaseUrl, opts.env));
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(killer);
  return { code, output: log };
}

/** `next start` on `port` (default: a free one) with DATABASE_URL; resolves once it answers HTTP. */
export async function startServer(opts: { port?: number; databaseUrl: string; env?: ServerEnv }): Promise<RunningServer> {
  const dir = await appDir();
  let log = "";
  const port = opts.port ?? (await freePort());
  const child = spawnNext(dir, port, serverEnv(opts.databaseUrl, opts.env));
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
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
