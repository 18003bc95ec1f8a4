// `npm run demo` (scripts/demo.mjs) offers demo admins to whoever reaches it, so it listens on
// 127.0.0.1 unless JOBDECK_DEMO_HOST says otherwise. Runs the real script (on the production build
// and a test database) and reads which addresses the kernel has it listening on (/proc/net/tcp*).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { appDir, freePort } from "../api/server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("demo_host");
}, 60_000);

afterAll(async () => {
  await t?.drop();
});

/** "0100007F" (tcp) or 32 hex digits (tcp6), as the kernel prints them → an address. */
function decodeAddress(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join(".");
  if (bytes.every((b) => b === 0)) return "::";
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return "::1";
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join(".")}`;
  return Buffer.from(bytes).toString("hex");
}

/** The local addresses with a listening TCP socket on `port`. */
function listeningAddresses(port: number): string[] {
  if (!existsSync("/proc/net/tcp")) throw new Error("this test reads /proc/net/tcp (Linux)");
  const out: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== "0A") continue; // 0A = LISTEN
      const [addr, portHex] = local.split(":");
      if (parseInt(portHex, 16) === port) out.push(decodeAddress(addr));
    }
  }
  return out.sort();
}

async function runDemo(port: number, env: Record<string, string | undefined>): Promise<{ child: ChildProcess; output: () => string }> {
  const dir = await appDir();
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    OIDC_ISSUER: undefined,
    OIDC_CLIENT_ID: undefined,
    OIDC_CLIENT_SECRET: undefined,
    NEXTAUTH_URL: undefined,
    JOBDECK_DEMO_AUTH: undefined,
    JOBDECK_DEMO_HOST: undefined,
    NODE_ENV: undefined,
    DATABASE_URL: t.url,
    NEXTAUTH_SECRET: "jobdeck-demo-host-test-secret-0123456789",
    PORT: String(port),
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, [path.join(dir, "scripts", "demo.mjs")], { cwd: dir, env: childEnv as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const deadline = Date.now() + 90_000;
  while (!/Jobdeck demo is running/.test(log)) {
    if (child.exitCode !== null) throw new Error(`demo.mjs exited (${child.exitCode}):\n${log}`);
    if (Date.now() > deadline) throw new Error(`demo.mjs did not start within 90 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, output: () => log };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(killer);
}

describe("npm run demo", () => {
  test("listens on 127.0.0.1 only by default, and says so", async () => {
    const port = await freePort();
    const demo = await runDemo(port, {});
    try {
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/stats`)).status).toBe(200);
      expect(listeningAddresses(port)).toEqual(["127.0.0.1"]);
      expect(demo.output()).toContain(`Jobdeck demo is running: http://localhost:${port} (this machine only; JOBDECK_DEMO_HOST=0.0.0.0 listens on every interface)`);
    } finally {
      await stop(demo.child);
    }
  }, 150_000);

  test("JOBDECK_DEMO_HOST=0.0.0.0 listens on every IPv4 interface", async () => {
    const port = await freePort();
    const demo = await runDemo(port, { JOBDECK_DEMO_HOST: "0.0.0.0" });
    try {
      expect(listeningAddresses(port)).toEqual(["0.0.0.0"]);
      expect(demo.output()).toContain(`Jobdeck demo is running: http://0.0.0.0:${port} (listening on 0.0.0.0)`);
    } finally {
      await stop(demo.child);
    }
  }, 150_000);
});
