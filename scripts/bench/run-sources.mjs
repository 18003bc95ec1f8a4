#!/usr/bin/env node
// `npm run bench:sources -- --jobs=1000000`: the pg-boss and the graphile-worker source benchmarks,
// one after the other, with the same flags (each prints its own table; see their headers).
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
for (const script of ["scripts/bench/source-pgboss.ts", "scripts/bench/source-graphile.ts"]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/run-ts.mjs"), script, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
