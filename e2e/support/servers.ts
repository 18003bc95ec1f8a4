// Extra servers a spec starts itself, beside the suite's own (playwright.config.ts): another
// `next start` of the same build on the e2e database, and another local OpenID Provider
// (e2e/support/oidc-provider.mjs) that releases groups differently. Each resolves once it answers,
// and stop() waits for the process to exit.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { waitUntil } from "../fixtures/operator-fixtures";
import { appServerEnv, appUrl, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET } from "./auth";

const root = path.resolve(import.meta.dirname, "..", "..");

export interface SpawnedServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

async function run(what: string, args: string[], env: Record<string, string>, url: string, ready: string): Promise<SpawnedServer> {
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  try {
    await waitUntil(
      `${what} on ${url}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${log}`);
        return fetch(ready).then((r) => r.ok, () => false);
      },
      60_000,
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return { url, output: () => log, stop };
}

/** `next start` of the build on `port` against the e2e database, with appServerEnv(port, extra). */
export function startAppServer(port: number, extra: Record<string, string> = {}): Promise<SpawnedServer> {
  const url = appUrl(port);
  return run("an app server", [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port)], appServerEnv(port, extra), url, `${url}/api/health`);
}

/** A local OpenID Provider on `port` for the app on `appPort`; `groups` says how it releases groups. */
export function startOidcProvider(port: number, appPort: number, groups: "profile" | "scope" | "userinfo"): Promise<SpawnedServer> {
  const issuer = `http://127.0.0.1:${port}`;
  const env = {
    JOBDECK_E2E_OIDC_PORT: String(port),
    JOBDECK_E2E_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
    JOBDECK_E2E_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
    JOBDECK_E2E_OIDC_REDIRECT_URIS: `${appUrl(appPort)}/api/auth/callback/oidc`,
    JOBDECK_E2E_OIDC_GROUPS: groups,
  };
  return run(`an OpenID Provider (groups: ${groups})`, [path.join(root, "e2e/support/oidc-provider.mjs")], env, issuer, `${issuer}/.well-known/openid-configuration`);
}
