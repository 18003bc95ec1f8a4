// HTTP load for the read benchmark (issue 6): the production build (`next start`) against the
// benchmark's 1M-job database, N concurrent clients calling GET /api/v1/admin/jobs with an API
// token for a fixed time. Prints latency p50/p95/p99, errors and the server's peak RSS (the
// `next start` process and its children, sampled from /proc every 100 ms). startServer is the
// server alone, for the incident scenario's requests (scripts/bench-reads/incident.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Database } from "../../db/client";
import { createApiToken } from "../../lib/auth/tokens";
import { percentile } from "./measure";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface HttpLoadResult {
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  peak_rss_mb: number;
  idle_rss_mb: number;
}

function treeRssKb(pid: number): number {
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim();
        if (children) stack.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // the process went away between listing and reading
    }
  }
  return total;
}

async function waitForServer(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}): ${log().slice(-2000)}`);
    try {
      if ((await fetch(`${url}/api/v1/stats`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer in 90 s: ${log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface BenchServer {
  url: string;
  /** The API token's Authorization header (jobs:read). */
  headers: Record<string, string>;
  pid: number;
  stop(): Promise<void>;
}

export const hasBuild = () => existsSync(path.join(ROOT, ".next", "BUILD_ID"));

/** `next start` on `databaseUrl` (needs a production build), answering once /api/v1/stats does, with a jobs:read token. */
export async function startServer(db: Database, databaseUrl: string, port: number): Promise<BenchServer> {
  const { token } = await createApiToken(db, {
    name: "bench-http",
    owner: "bench@localhost",
    scopes: ["jobs:read"],
    expiresInMs: 3_600_000,
    actor: { name: "bench", roles: ["admin"] },
  });
  let out = "";
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    // The requests carry an API token; the server only needs some sign-in configured to start.
    env: { JOBDECK_DEMO_AUTH: "1", NEXTAUTH_SECRET: "bench-only-secret-bench-only-secret", ...process.env, NODE_ENV: "production", DATABASE_URL: databaseUrl, JOBDECK_DEMO: "0", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForServer(url, child, () => out);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, headers: { authorization: `Bearer ${token}` }, pid: child.pid!, stop };
}

export async function httpLoad(db: Database, databaseUrl: string, opts: { clients: number; seconds: number; port: number }, log: (s: string) => void): Promise<HttpLoadResult | null> {
  if (!hasBuild()) {
    log("  skipped: no production build (run `npx next build` first)");
    return null;
  }
  const server = await startServer(db, databaseUrl, opts.port);
  const { url, headers } = server;
  try {
    const paths = ["/api/v1/admin/jobs?per_page=50", "/api/v1/admin/jobs?state=dead&per_page=50", "/api/v1/admin/jobs?kind=send-email&per_page=100"];
    for (const p of paths) await (await fetch(url + p, { headers })).text(); // warm-up
    const idle = treeRssKb(server.pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, treeRssKb(server.pid))), 100);
    const latencies: number[] = [];
    let errors = 0;
    const end = Date.now() + opts.seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: opts.clients }, async (_, i) => {
        for (let n = 0; Date.now() < end; n++) {
          const t = performance.now();
          try {
            const res = await fetch(url + paths[(i + n) % paths.length], { headers });
            await res.arrayBuffer();
            if (res.status !== 200) errors++;
          } catch {
            errors++;
          }
          latencies.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, treeRssKb(server.pid));
    const sorted = latencies.sort((a, b) => a - b);
    return {
      clients: opts.clients,
      seconds: elapsed,
      requests: latencies.length,
      errors,
      rps: latencies.length / elapsed,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      peak_rss_mb: peak / 1024,
      idle_rss_mb: idle / 1024,
    };
  } finally {
    await server.stop();
  }
}
