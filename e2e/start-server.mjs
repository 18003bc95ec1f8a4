#!/usr/bin/env node
// The e2e web server (playwright.config.ts `webServer`): a fresh `jobdeck_e2e` database, a
// production build (built once if missing), then `next start`. Playwright starts its web server
// before globalSetup, so the database is made here, before the app connects and migrates.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const url = process.env.DATABASE_URL;
const port = process.env.PORT ?? "3100";
if (!url) throw new Error("e2e/start-server.mjs needs DATABASE_URL (set by playwright.config.ts)");

const u = new URL(url);
if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(u.hostname)) {
  console.error(`e2e: refusing a non-local database (${u.hostname})`);
  process.exit(2);
}
const name = decodeURIComponent(u.pathname.slice(1));
if (!/^jobdeck_e2e[a-z0-9_]*$/.test(name)) {
  console.error(`e2e: refusing to recreate "${name}": e2e databases are named jobdeck_e2e*`);
  process.exit(2);
}
const adminUrl = new URL(url);
adminUrl.pathname = "/postgres";
const admin = new pg.Client({ connectionString: adminUrl.toString() });
try {
  await admin.connect();
} catch (err) {
  console.error(`e2e: PostgreSQL is not reachable at ${u.hostname}:${u.port || 5432} (${err.message}). Start it (e.g. \`service postgresql start\`) and run again.`);
  process.exit(1);
}
await admin.query(`drop database if exists "${name}" with (force)`);
await admin.query(`create database "${name}"`);
await admin.end();
console.log(`e2e: fresh database ${name}`);

const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.log("e2e: no production build, running `next build`…");
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const child = spawn(process.execPath, [nextBin, "start", "-p", port], { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
