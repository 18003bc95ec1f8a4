#!/usr/bin/env node
// `npm run demo`: Jobdeck on the embedded PGlite database with the in-process demo workload.
// Builds once when no production build exists (`npm run build` rebuilds after changes), then
// runs `next start` with JOBDECK_DEMO=1 on PORT (default 3000), listening on JOBDECK_DEMO_HOST
// (default 127.0.0.1: the demo users are admins, so only this machine may reach them unless told).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const port = process.env.PORT || "3000";
const host = process.env.JOBDECK_DEMO_HOST?.trim() || "127.0.0.1";
const loopback = ["127.0.0.1", "localhost", "::1"].includes(host);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

if (env.DATABASE_URL) {
  console.log("jobdeck demo: DATABASE_URL is set, so the demo runs on that database (unset it for the embedded one)");
} else {
  env.JOBDECK_DATA_DIR ||= path.join(root, ".data", "pglite");
  mkdirSync(env.JOBDECK_DATA_DIR, { recursive: true });
  console.log(`jobdeck demo: embedded PGlite database in ${path.relative(root, env.JOBDECK_DATA_DIR) || env.JOBDECK_DATA_DIR}`);
}

// Foreign sources: unless told otherwise, the demo shows a pg-boss source (and, on PostgreSQL, a
// graphile-worker one) in its own database, and lib/demo runs the applications behind them. Sources
// the user configured are left alone: the demo writes no jobs into them.
if (!env.JOBDECK_SOURCES && !env.JOBDECK_SOURCES_FILE) {
  const sources = [{ name: "billing", kind: "pg-boss" }];
  if (env.DATABASE_URL) sources.push({ name: "mail", kind: "graphile-worker" });
  env.JOBDECK_SOURCES = JSON.stringify(sources);
  env.JOBDECK_DEMO_SOURCES = "1";
  console.log(
    env.DATABASE_URL
      ? "jobdeck demo: foreign sources billing (pg-boss) and mail (graphile-worker), with their own demo workload (JOBDECK_SOURCES replaces them)"
      : "jobdeck demo: foreign source billing (pg-boss) with its own demo workload; graphile-worker needs PostgreSQL, so mail (graphile-worker) joins with DATABASE_URL (JOBDECK_SOURCES replaces them)",
  );
} else {
  const which = env.JOBDECK_SOURCES ? "JOBDECK_SOURCES" : "JOBDECK_SOURCES_FILE";
  console.log(`jobdeck demo: ${which} is set, so those sources are shown as they are (the demo adds no jobs to them)`);
}

// Sign-in: the identity provider when OIDC_* is set; otherwise the demo sign-in (pick a demo
// viewer, operator or admin), which a production server allows only when told so explicitly.
if (!env.OIDC_ISSUER) {
  env.JOBDECK_DEMO_AUTH ||= "1";
  console.log("jobdeck demo: no OIDC_ISSUER, so the sign-in page offers demo users (viewer, operator, admin)");
}
if (!env.NEXTAUTH_SECRET) {
  // One random key per checkout, kept in .data/ so sessions survive a restart of the demo.
  const file = path.join(root, ".data", "nextauth-secret");
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  env.NEXTAUTH_SECRET = readFileSync(file, "utf8").trim();
}
// Without NEXTAUTH_URL, sign-in redirects back to whatever host the browser used (localhost, an IP).
if (!env.NEXTAUTH_URL) env.AUTH_TRUST_HOST ||= "1";

if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.log("jobdeck demo: no production build yet, running `next build` (once; `npm run build` rebuilds)…");
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, env, stdio: "inherit" });
  if (build.status !== 0) {
    console.error("jobdeck demo: `next build` failed; see the output above");
    process.exit(build.status ?? 1);
  }
}

const child = spawn(process.execPath, [nextBin, "start", "-p", port, "-H", host], {
  cwd: root,
  // Jobdeck handles SIGINT/SIGTERM itself so the demo workers (and the pg-boss and graphile-worker
  // applications) release their jobs and PGlite closes cleanly (see instrumentation.ts). Its own
  // process group: Ctrl+C reaches this script (and npm, which forwards it too), and the server
  // gets exactly one signal from here. A second one arriving mid-shutdown killed it at once.
  detached: true,
  env: { ...env, JOBDECK_DEMO: "1", NEXT_MANUAL_SIG_HANDLE: "1", PORT: port },
  stdio: ["ignore", "pipe", "inherit"],
});
let announced = false;
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /Ready in|started server/i.test(String(chunk))) {
    announced = true;
    const where = loopback
      ? `http://localhost:${port} (this machine only; JOBDECK_DEMO_HOST=0.0.0.0 listens on every interface)`
      : `http://${host.includes(":") ? `[${host}]` : host}:${port} (listening on ${host})`;
    console.log(`\n  Jobdeck demo is running: ${where}\n  Press Ctrl+C to stop.\n`);
  }
});
// Forward the first stop signal (once: a repeat, such as npm's copy of a Ctrl+C, is dropped) and
// wait for a clean exit. A closed terminal (SIGHUP) stops the server too: it has its own group.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (!child.killed) child.kill(signal === "SIGHUP" ? "SIGTERM" : signal);
  });
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
