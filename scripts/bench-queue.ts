// `npm run bench:queue` — Jobdeck queue benchmark (issue 2, "Benchmark").
//
//   1. Creates a fresh database `jobdeck_bench` on the local server (dropped first if it exists;
//      JOBDECK_BENCH_DATABASE_URL may point at another database on a *local* server), migrates it,
//      and installs graphile-worker's schema next to Jobdeck's.
//   2. Enqueues JOBS (100,000) trivial jobs with enqueueMany and prints the enqueue rate.
//   3. For N = 1, 4, 8 "workers" — N separate worker PROCESSES, each one Jobdeck createWorker()
//      with concurrency 8 and a no-op handler (scripts/bench/jobdeck-worker.ts) — re-enqueues the
//      jobs, drains them and prints claim+complete throughput and claim latency p50/p95.
//   4. Drains the same workload with graphile-worker 0.17 on the same database: N processes, each
//      one run() with concurrency 8 and a no-op task (scripts/bench/graphile-worker.ts), jobs
//      added in bulk with graphile_worker.add_jobs. Once with graphile-worker's defaults and once
//      with its documented batching (localQueue + completeJobBatchDelay); the ratio is taken
//      against the faster of the two.
//   5. Prints a table, writes bench-results/queue.json, drops the database (unless --keep).
//
// Flags: --keep  --jobs=N  --workers=1,4,8  --concurrency=8  --graphile=both|batched|default|none
//        --drain-timeout=SECONDS (per drain, default 240)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "../db/client";
import { migrate } from "../db/migrate";
import { enqueueMany } from "../lib/queue";
import { killAllChildren, startFleet } from "./bench/processes";
import { now, type WorkerFinal } from "./bench/protocol";

// ---------------------------------------------------------------------------------------------
// Options

function flag(name: string): string | undefined {
  const hit = process.argv.slice(2).find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "true";
}
function usage(message: string): never {
  console.error(`bench-queue: ${message}`);
  process.exit(2);
}
const known = ["keep", "jobs", "workers", "concurrency", "graphile", "drain-timeout", "help"];
for (const a of process.argv.slice(2)) {
  const name = a.replace(/^--/, "").split("=")[0];
  if (!a.startsWith("--") || !known.includes(name)) usage(`unknown argument ${a} (known: ${known.map((k) => `--${k}`).join(" ")})`);
}
if (flag("help")) {
  console.log("usage: npm run bench:queue -- [--keep] [--jobs=100000] [--workers=1,4,8] [--concurrency=8] [--graphile=both|batched|default|none] [--drain-timeout=240]");
  process.exit(0);
}
const KEEP = flag("keep") === "true";
const JOBS = Number(flag("jobs") ?? 100_000);
const WORKERS = (flag("workers") ?? "1,4,8").split(",").map(Number);
const CONCURRENCY = Number(flag("concurrency") ?? 8);
const GRAPHILE = flag("graphile") ?? "both";
const DRAIN_TIMEOUT_MS = Number(flag("drain-timeout") ?? 240) * 1000;
const POLL_MS = 50;
if (!Number.isInteger(JOBS) || JOBS < 1) usage("--jobs must be a positive integer");
if (WORKERS.some((n) => !Number.isInteger(n) || n < 1 || n > 32)) usage("--workers must be a list of integers 1..32");
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) usage("--concurrency must be a positive integer");
if (!["both", "batched", "default", "none"].includes(GRAPHILE)) usage("--graphile must be both, batched, default or none");
const GRAPHILE_MODES = GRAPHILE === "both" ? (["default", "batched"] as const) : GRAPHILE === "none" ? [] : [GRAPHILE as "default" | "batched"];

const REPO = process.cwd();
const BENCH_URL = process.env.JOBDECK_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/jobdeck_bench";

function assertLocal(url: string): { dbName: string; adminUrl: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    usage("JOBDECK_BENCH_DATABASE_URL is not a valid URL");
  }
  if (!["127.0.0.1", "localhost", "::1", "[::1]", ""].includes(u.hostname)) {
    usage(`refusing to benchmark against a non-local server (${u.hostname}); the bench drops and recreates its database`);
  }
  const dbName = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!/^[a-z_][a-z0-9_]*$/i.test(dbName) || ["postgres", "template0", "template1"].includes(dbName)) {
    usage(`refusing to use database "${dbName}": the bench drops it; name a dedicated database`);
  }
  const admin = new URL(url);
  admin.pathname = "/postgres";
  return { dbName, adminUrl: admin.toString() };
}
const { dbName: DB_NAME, adminUrl: ADMIN_URL } = assertLocal(BENCH_URL);

// ---------------------------------------------------------------------------------------------
// Helpers

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const log = (m: string) => console.log(m);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL, application_name: "jobdeck-bench-admin" });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function dropBenchDatabase(): Promise<void> {
  await admin((c) => c.query(`drop database if exists "${DB_NAME}" with (force)`));
}

/** Vacuum/analyze the table just filled and checkpoint, so every drain starts from the same state. */
async function settle(db: Database, tables: string[]): Promise<void> {
  for (const t of tables) await db.query(`vacuum analyze ${t}`);
  await db.query("checkpoint");
}

interface DrainResult {
  system: "jobdeck" | "graphile-default" | "graphile-batched";
  workers: number;
  concurrencyPerWorker: number;
  jobs: number;
  wallMs: number;
  jobsPerSecond: number;
  claimP50Ms: number;
  claimP95Ms: number;
  claimP99Ms: number;
  claims: number;
  avgJobsPerClaim: number;
  completeFlushes: number | null;
  roundTripsPerJob: number | null;
  /** CPU ms per 1,000 jobs: the worker processes (from "go" to "stop") and their PostgreSQL backends. */
  workerCpuMsPer1k: number;
  dbCpuMsPer1k: number | null;
  /** 1-minute load average when the drain started (other work on the machine skews wall times). */
  loadAvgAtStart: number;
  verified: string;
}

function summarize(
  system: DrainResult["system"],
  workers: number,
  finals: WorkerFinal[],
  total: number,
  verified: string,
  dbCpuMs: number | null,
  loadAvgAtStart: number,
): DrainResult {
  const first = Math.min(...finals.map((f) => f.firstClaimAt ?? Infinity));
  const last = Math.max(...finals.map((f) => f.lastCompleteAt ?? -Infinity));
  const wallMs = last - first;
  const claimMs = finals.flatMap((f) => f.claimMs).sort((a, b) => a - b);
  const claimed = finals.reduce((s, f) => s + f.claimSizes.reduce((a, b) => a + b, 0), 0);
  const flushes = finals.every((f) => f.completeFlushes >= 0) ? finals.reduce((s, f) => s + f.completeFlushes, 0) : null;
  const trips = finals.every((f) => f.roundTrips >= 0) ? finals.reduce((s, f) => s + f.roundTrips, 0) : null;
  for (const f of finals) if (f.notes && system === "jobdeck") throw new Error(f.notes);
  return {
    system,
    workers,
    concurrencyPerWorker: CONCURRENCY,
    jobs: total,
    wallMs,
    jobsPerSecond: total / (wallMs / 1000),
    claimP50Ms: percentile(claimMs, 50),
    claimP95Ms: percentile(claimMs, 95),
    claimP99Ms: percentile(claimMs, 99),
    claims: claimMs.length,
    avgJobsPerClaim: claimMs.length ? claimed / claimMs.length : NaN,
    completeFlushes: flushes,
    roundTripsPerJob: trips === null ? null : trips / total,
    workerCpuMsPer1k: (finals.reduce((s, f) => s + f.cpuMs, 0) / total) * 1000,
    dbCpuMsPer1k: dbCpuMs === null ? null : (dbCpuMs / total) * 1000,
    loadAvgAtStart,
    verified,
  };
}

// ---------------------------------------------------------------------------------------------
// Workloads

function specs(n: number) {
  return Array.from({ length: n }, (_, i) => ({ kind: "noop", payload: { i } }));
}

async function enqueueJobdeck(db: Database): Promise<number> {
  await db.query("truncate jobs, job_attempts, workers, audit_events, campaigns restart identity cascade");
  const all = specs(JOBS);
  const t0 = now();
  const ids = await enqueueMany(db, all);
  const ms = now() - t0;
  if (ids.length !== JOBS) throw new Error(`enqueueMany returned ${ids.length} ids for ${JOBS} jobs`);
  await settle(db, ["jobs", "job_attempts"]);
  return JOBS / (ms / 1000);
}

/** graphile-worker's own bulk path: graphile_worker.add_jobs(job_spec[]), in 5,000-job statements like enqueueMany. */
async function enqueueGraphile(db: Database): Promise<number> {
  await db.query("truncate graphile_worker._private_jobs");
  const all = specs(JOBS).map((s) => ({ identifier: s.kind, payload: s.payload }));
  const t0 = now();
  for (let i = 0; i < all.length; i += 5_000) {
    await db.query(
      `select count(*) from graphile_worker.add_jobs(array(
         select row(identifier, payload, null, null, null, null, null, null)::graphile_worker.job_spec
         from json_to_recordset($1::json) as x(identifier text, payload json)))`,
      [JSON.stringify(all.slice(i, i + 5_000))],
    );
  }
  const ms = now() - t0;
  const [{ n }] = await db.query<{ n: number }>("select count(*)::int n from graphile_worker._private_jobs");
  if (n !== JOBS) throw new Error(`graphile add_jobs left ${n} jobs, expected ${JOBS}`);
  await settle(db, ["graphile_worker._private_jobs"]);
  return JOBS / (ms / 1000);
}

/**
 * CPU (user+system) used so far by the server backends of this bench's worker processes, read
 * from /proc (the server is local, see assertLocal). Each drain uses fresh processes, hence fresh
 * backends, so their total is the drain's database CPU. null where /proc is not readable.
 */
async function backendCpuMs(db: Database, appName: string): Promise<number | null> {
  const rows = await db.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and application_name = $1", [appName]);
  try {
    const tick = 1000 / 100; // USER_HZ is 100 on Linux
    let ms = 0;
    for (const { pid } of rows) {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ms += (Number(fields[11]) + Number(fields[12])) * tick; // utime, stime
    }
    return ms;
  } catch {
    return null;
  }
}

async function drain(
  system: DrainResult["system"],
  workers: number,
  verify: () => Promise<string>,
): Promise<DrainResult> {
  const isJobdeck = system === "jobdeck";
  const appName = `bench-${system}`;
  const url = new URL(BENCH_URL);
  url.searchParams.set("application_name", appName);
  const loadAvgAtStart = os.loadavg()[0];
  const fleet = await startFleet({
    entry: isJobdeck ? "scripts/bench/jobdeck-worker.ts" : "scripts/bench/graphile-worker.ts",
    count: workers,
    cwd: REPO,
    label: system,
    readyTimeoutMs: 60_000,
    env: {
      DATABASE_URL: url.toString(),
      BENCH_APPLICATION_NAME: appName,
      BENCH_CONCURRENCY: String(CONCURRENCY),
      BENCH_POLL_MS: String(POLL_MS),
      BENCH_POOL_SIZE: String(CONCURRENCY + 3),
      ...(isJobdeck ? {} : { BENCH_GRAPHILE_MODE: system === "graphile-default" ? "default" : "batched" }),
    },
  });
  fleet.go();
  const tty = process.stdout.isTTY;
  await fleet.waitCompleted(JOBS, DRAIN_TIMEOUT_MS, tty ? (done) => process.stdout.write(`\r    ${system} x${workers}: ${fmt(done)} / ${fmt(JOBS)} completed   `) : undefined);
  if (tty) process.stdout.write("\r" + " ".repeat(70) + "\r");
  const dbCpuMs = await backendCpuMs(db!, appName);
  const finals = await fleet.stop(30_000);
  const r = summarize(system, workers, finals, JOBS, await verify(), dbCpuMs, loadAvgAtStart);
  log(
    `    ${system.padEnd(16)} x${workers}: ${fmt(r.jobsPerSecond).padStart(7)} jobs/s  (${fmt(r.wallMs / 1000, 2)} s)  ` +
      `claim p50 ${fmt(r.claimP50Ms, 2)} ms p95 ${fmt(r.claimP95Ms, 2)} ms, ${fmt(r.avgJobsPerClaim, 1)} jobs/claim` +
      (r.roundTripsPerJob !== null ? `, ${fmt(r.roundTripsPerJob, 3)} round trips/job` : "") +
      `; CPU per 1k jobs: workers ${fmt(r.workerCpuMsPer1k)} ms, db ${r.dbCpuMsPer1k === null ? "?" : fmt(r.dbCpuMsPer1k)} ms; load ${fmt(r.loadAvgAtStart, 1)}` +
      `  [${r.verified}]`,
  );
  return r;
}

async function verifyJobdeck(db: Database): Promise<string> {
  const [j] = await db.query<{ completed: number; total: number }>(
    "select count(*) filter (where state = 'completed')::int completed, count(*)::int total from jobs",
  );
  const [a] = await db.query<{ attempts: number; jobs: number }>("select count(*)::int attempts, count(distinct job_id)::int jobs from job_attempts");
  if (j.completed !== JOBS || a.attempts !== JOBS || a.jobs !== JOBS) {
    throw new Error(`Jobdeck drain incorrect: ${j.completed}/${j.total} completed, ${a.attempts} attempts over ${a.jobs} jobs (expected ${JOBS} each)`);
  }
  return "all completed, one attempt each";
}

async function verifyGraphile(db: Database): Promise<string> {
  // Completions are issued without awaiting; give the last ones a moment to commit.
  const deadline = now() + 15_000;
  for (;;) {
    const [{ n }] = await db.query<{ n: number }>("select count(*)::int n from graphile_worker._private_jobs");
    if (n === 0) return "queue empty";
    if (now() > deadline) throw new Error(`graphile-worker drain incorrect: ${n} jobs left`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// Main

let db: Database | null = null;
let created = false;

async function cleanup(): Promise<void> {
  killAllChildren();
  await db?.close().catch(() => {});
  db = null;
  if (created && !KEEP) {
    await dropBenchDatabase().catch((err) => console.error(`bench-queue: could not drop ${DB_NAME}: ${(err as Error).message}`));
    created = false;
  }
}

process.on("exit", killAllChildren);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    console.error(`\nbench-queue: ${sig}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  const t0 = now();
  log(`Jobdeck queue benchmark — ${fmt(JOBS)} trivial jobs per drain`);
  log(`  database: ${DB_NAME} on ${new URL(BENCH_URL).host} (fresh; ${KEEP ? "kept" : "dropped"} at the end)`);
  log(`  machine: ${os.cpus().length} CPUs, ${fmt(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  log(
    `  "workers" = N separate OS processes (node bin/run-ts.mjs scripts/bench/<system>-worker.ts), each running ` +
      `one worker with concurrency ${CONCURRENCY} and a no-op handler; pg pool ${CONCURRENCY + 3} per process; poll interval ${POLL_MS} ms`,
  );
  log(`  throughput = jobs / (last completion − first claim), across all processes; claim latency = one claim round trip (Jobdeck claim()),`);
  log(`  or for graphile-worker the time a worker slot waits in getJob for its next job`);

  await dropBenchDatabase();
  await admin((c) => c.query(`create database "${DB_NAME}"`));
  created = true;
  db = await openDatabase({ databaseUrl: BENCH_URL, max: 4, applicationName: "jobdeck-bench" });
  await migrate(db);
  const settings = await db.query<{ name: string; setting: string }>(
    "select name, setting from pg_settings where name in ('server_version', 'synchronous_commit', 'fsync', 'shared_buffers', 'max_connections', 'wal_level') order by name",
  );
  log(`  postgres: ${settings.map((s) => `${s.name}=${s.setting}`).join(" ")}`);
  if (GRAPHILE_MODES.length) {
    const { runMigrations } = await import("graphile-worker");
    const { Logger } = await import("graphile-worker");
    await runMigrations({ connectionString: BENCH_URL, logger: new Logger(() => () => {}) });
  }
  log("");

  const results: DrainResult[] = [];
  const enqueueRates: number[] = [];
  const graphileEnqueueRates: number[] = [];
  for (const n of WORKERS) {
    log(`  ${n} worker process${n === 1 ? "" : "es"} × concurrency ${CONCURRENCY}:`);
    const rate = await enqueueJobdeck(db);
    enqueueRates.push(rate);
    log(`    jobdeck enqueue (enqueueMany): ${fmt(rate)} jobs/s`);
    results.push(await drain("jobdeck", n, () => verifyJobdeck(db!)));
    await db.query("truncate jobs, job_attempts, workers restart identity cascade");
    for (const mode of GRAPHILE_MODES) {
      const grate = await enqueueGraphile(db);
      graphileEnqueueRates.push(grate);
      log(`    graphile-worker enqueue (add_jobs): ${fmt(grate)} jobs/s`);
      results.push(await drain(`graphile-${mode}`, n, () => verifyGraphile(db!)));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Report
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
  };
  const rows = WORKERS.map((n) => {
    const jd = results.find((r) => r.system === "jobdeck" && r.workers === n)!;
    const gd = results.find((r) => r.system === "graphile-default" && r.workers === n);
    const gb = results.find((r) => r.system === "graphile-batched" && r.workers === n);
    const best = [gd, gb].filter(Boolean).sort((a, b) => b!.jobsPerSecond - a!.jobsPerSecond)[0];
    return {
      workers: n,
      jobdeckJobsPerSecond: jd.jobsPerSecond,
      claimP50Ms: jd.claimP50Ms,
      claimP95Ms: jd.claimP95Ms,
      graphileDefaultJobsPerSecond: gd?.jobsPerSecond ?? null,
      graphileBatchedJobsPerSecond: gb?.jobsPerSecond ?? null,
      graphileBestJobsPerSecond: best?.jobsPerSecond ?? null,
      ratio: best ? jd.jobsPerSecond / best.jobsPerSecond : null,
    };
  });
  const enqueueMedian = median(enqueueRates);
  const TARGET_JPS = 2_000;
  const TARGET_RATIO = 0.5;

  log("");
  log(`Enqueue (enqueueMany, ${fmt(JOBS)} jobs, 5,000-row statements): median ${fmt(enqueueMedian)} jobs/s (runs: ${enqueueRates.map((r) => fmt(r)).join(", ")})`);
  if (graphileEnqueueRates.length) log(`graphile-worker add_jobs, same jobs: median ${fmt(median(graphileEnqueueRates))} jobs/s`);
  log("");
  const header = ["workers", "jobdeck jobs/s", "claim p50 ms", "claim p95 ms", "graphile default jobs/s", "graphile batched jobs/s", "ratio"];
  const cells = rows.map((r) => [
    `${r.workers} × ${CONCURRENCY}`,
    fmt(r.jobdeckJobsPerSecond),
    fmt(r.claimP50Ms, 2),
    fmt(r.claimP95Ms, 2),
    r.graphileDefaultJobsPerSecond === null ? "—" : fmt(r.graphileDefaultJobsPerSecond),
    r.graphileBatchedJobsPerSecond === null ? "—" : fmt(r.graphileBatchedJobsPerSecond),
    r.ratio === null ? "—" : fmt(r.ratio, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => "| " + c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(" | ") + " |";
  log(line(header));
  log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const c of cells) log(line(c));
  log("");
  log(`ratio = Jobdeck jobs/s ÷ the faster graphile-worker configuration at the same N.`);
  log("");
  log("CPU per 1,000 jobs (worker processes + their PostgreSQL backends; insensitive to other load on the machine):");
  const cpu = (r: DrainResult | undefined) => (r ? `${fmt(r.workerCpuMsPer1k + (r.dbCpuMsPer1k ?? NaN))} ms (db ${r.dbCpuMsPer1k === null ? "?" : fmt(r.dbCpuMsPer1k)})` : "—");
  for (const n of WORKERS) {
    const by = (sys: DrainResult["system"]) => results.find((r) => r.system === sys && r.workers === n);
    log(`  ${n} × ${CONCURRENCY}: jobdeck ${cpu(by("jobdeck"))}, graphile default ${cpu(by("graphile-default"))}, graphile batched ${cpu(by("graphile-batched"))}`);
  }
  const busiest = Math.max(...results.map((r) => r.loadAvgAtStart));
  if (busiest > os.cpus().length) {
    log(
      `WARNING: the machine was busy with other work (1-min load average up to ${fmt(busiest, 1)} on ${os.cpus().length} CPUs at drain start); ` +
        "wall-clock throughputs are depressed and noisy, the CPU-per-job figures less so.",
    );
  }
  const minJps = Math.min(...rows.map((r) => r.jobdeckJobsPerSecond));
  const ratios = rows.map((r) => r.ratio).filter((r): r is number => r !== null);
  const minRatio = ratios.length ? Math.min(...ratios) : null;
  const jpsOk = minJps >= TARGET_JPS;
  const ratioOk = minRatio === null || minRatio >= TARGET_RATIO;
  log(`Target ≥ ${fmt(TARGET_JPS)} jobs/s claim+complete: ${jpsOk ? "met" : "MISSED"} (lowest ${fmt(minJps)} jobs/s)`);
  if (minRatio !== null) log(`Target ratio ≥ ${TARGET_RATIO}: ${ratioOk ? "met" : "MISSED"} (lowest ${fmt(minRatio, 2)})`);
  log(`Total bench time ${fmt((now() - t0) / 1000, 1)} s`);

  mkdirSync(path.join(REPO, "bench-results"), { recursive: true });
  const out = path.join(REPO, "bench-results", "queue.json");
  writeFileSync(
    out,
    JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        machine: { cpus: os.cpus().length, totalMemGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
        postgres: Object.fromEntries(settings.map((s) => [s.name, s.setting])),
        config: {
          jobs: JOBS,
          workers: WORKERS,
          concurrencyPerWorker: CONCURRENCY,
          pollIntervalMs: POLL_MS,
          poolSizePerWorker: CONCURRENCY + 3,
          workersMeaning: "N separate OS processes, each one worker (Jobdeck createWorker / graphile-worker run()) with the given concurrency and a no-op handler",
          throughputDefinition: "jobs / (last completion - first claim) across all worker processes",
          graphileModes: GRAPHILE_MODES,
        },
        enqueue: { jobdeckJobsPerSecond: enqueueRates, jobdeckMedianJobsPerSecond: enqueueMedian, graphileJobsPerSecond: graphileEnqueueRates },
        drains: results,
        summary: rows,
        targets: { jobsPerSecond: TARGET_JPS, ratio: TARGET_RATIO, jobsPerSecondMet: jpsOk, ratioMet: minRatio === null ? null : ratioOk },
      },
      null,
      2,
    ) + "\n",
  );
  log(`Results written to ${path.relative(REPO, out)}`);
}

try {
  await main();
  await cleanup();
  if (!KEEP) log(`Dropped database ${DB_NAME}.`);
  else log(`Kept database ${DB_NAME} (--keep).`);
} catch (err) {
  console.error(`\nbench-queue: ${(err as Error).stack ?? err}`);
  await cleanup();
  process.exit(1);
}
