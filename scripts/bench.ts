// `npm run bench` — Jobdeck read-path benchmark at 1M jobs (issue 3, "Benchmark"; issue 13 at 10M).
//
//   1. Creates a fresh database `jobdeck_bench_reads` on the local server (dropped first if it
//      exists; JOBDECK_BENCH_DATABASE_URL may point at another database on a *local* server —
//      anything else is refused), migrates it and seeds --jobs (1,000,000) jobs with set-based
//      SQL (scripts/bench-reads/seed.ts), 200 workers and the attempt history.
//   2. Times each read the pages use — jobs first page, a deep page, filtered lists, job detail,
//      workers, stale locks (and a few extras) — through lib/queries on a `pg` Database, and the
//      very same statements (recorded from that call) through a plain `pg` client: the floor.
//      Each --reps (30) times, interleaved; prints p50/p95 and the ratio, and EXPLAIN ANALYZE of
//      every list query.
//      The overview (issue 4): job_rollups for 7 days of every (queue, kind), compacted past
//      26 h as the maintenance loop does, and per-minute queue depth samples
//      (scripts/bench-reads/overview.ts); then the whole overview — lib/queries/overview
//      getOverview, every query the page runs — per range (1 h, 24 h, 7 d), target p95 ≤ 150 ms.
//      The campaign pages: a campaign of 100,000 children (scripts/bench-reads/campaign.ts);
//      its aggregate (the detail page), target p95 ≤ 200 ms, and the campaigns list.
//   3. Retries 10,000 dead jobs with lib/operations/bulk applyBulk (audited batches of 1,000)
//      while a probe worker claims (limit 1) and completes jobs in a loop, and prints the claim
//      latency before and during the bulk retry.
//   4. HTTP load (scripts/bench-reads/http.ts): `next start` (needs `npx next build` first) on this
//      database, 50 clients on GET /api/v1/admin/jobs for 30 s with an API token: p50/p95/p99,
//      errors, and the server's peak RSS. Port JOBDECK_BENCH_HTTP_PORT (3399).
//      The source seam: the first page, a filtered page and the detail through the native source
//      (lib/sources/native) beside the lib/queries rows, so the seam's cost is on the same table.
//   5. Retention at scale (scripts/bench-reads/retention.ts): a day of finished jobs expires and the
//      maintenance loop's deleteExpiredJobs runs back to back until it is gone (at most
//      RETENTION_CAP_SECONDS) while the probe worker claims: claim p95 before/during, jobs/s.
//   6. The incident scenario (scripts/bench-reads/incident.ts), in its own database <name>_incident
//      (this one is dropped first unless --keep): the overview, GET /api/v1/admin/jobs and
//      GET /api/v1/stats on 20,000 jobs and on 2,000,000 jobs of which 1,000,000 are pending; the
//      ratio of each (target ≤ 2×).
//   7. Issue 13's table: every row it names, measured, with its target and ok/MISSED.
//   8. Writes bench-results/reads.json and drops the databases (unless --keep).
//
// Flags: --keep  --jobs=N  --reps=N
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { type Database, openDatabase } from "../db/client";
import { migrate } from "../db/migrate";
import { parseJobFilter } from "../lib/filters/job-filter";
import { applyBulk, previewBulk } from "../lib/operations/bulk";
import { getJobDetail } from "../lib/queries/job-detail";
import { listJobsPage } from "../lib/queries/jobs";
import { listStaleLocks } from "../lib/queries/stale";
import { getOverview } from "../lib/queries/overview";
import { listWorkers } from "../lib/queries/workers";
import { createNativeSource } from "../lib/sources/native";
import { registerWorker } from "../lib/queue";
import { explain, ms, recordStatements, replay, type Statement, type Stats, stats } from "./bench-reads/measure";
import { getCampaignAggregate, listCampaigns } from "../lib/queries/campaigns";
import { seedLargeCampaign } from "./bench-reads/campaign";
import { httpLoad } from "./bench-reads/http";
import { incidentScenario } from "./bench-reads/incident";
import { probeClaims, probeFor } from "./bench-reads/probe";
import { benchRetention } from "./bench-reads/retention";
import { issueTable, printIssueTable } from "./bench-reads/table";
import { seedOverviewHistory } from "./bench-reads/overview";
import { heartbeatOnlineWorkers, seed } from "./bench-reads/seed";

// ---------------------------------------------------------------------------------------------
// Options

function flag(name: string): string | undefined {
  const hit = process.argv.slice(2).find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "true";
}
function usage(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}
const known = ["keep", "jobs", "reps", "help"];
for (const a of process.argv.slice(2)) {
  const name = a.replace(/^--/, "").split("=")[0];
  if (!a.startsWith("--") || !known.includes(name)) usage(`unknown argument ${a} (known: ${known.map((k) => `--${k}`).join(" ")})`);
}
if (flag("help")) {
  console.log("usage: npm run bench -- [--keep] [--jobs=1000000] [--reps=30]   (the queue benchmark is npm run bench:queue)");
  process.exit(0);
}
const KEEP = flag("keep") === "true";
const JOBS = Number(flag("jobs") ?? 1_000_000);
const REPS = Number(flag("reps") ?? 30);
if (!Number.isInteger(JOBS) || JOBS < 10_000) usage("--jobs must be an integer ≥ 10000");
if (!Number.isInteger(REPS) || REPS < 5) usage("--reps must be an integer ≥ 5");

const DB_URL = process.env.JOBDECK_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/jobdeck_bench_reads";
const parsedUrl = new URL(DB_URL);
if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(parsedUrl.hostname)) {
  usage(`refusing a non-local database (${parsedUrl.hostname}): the benchmark drops and recreates it`);
}
const DB_NAME = decodeURIComponent(parsedUrl.pathname.slice(1));
if (!/^[a-z0-9_]+$/i.test(DB_NAME) || DB_NAME === "postgres") usage(`refusing database name "${DB_NAME}"`);
const ADMIN_URL = (() => {
  const u = new URL(DB_URL);
  u.pathname = "/postgres";
  return u.toString();
})();

const INCIDENT_DB = `${DB_NAME}_incident`;
const INCIDENT_URL = (() => {
  const u = new URL(DB_URL);
  u.pathname = `/${INCIDENT_DB}`;
  return u.toString();
})();
const HTTP_PORT = Number(process.env.JOBDECK_BENCH_HTTP_PORT ?? 3399);
// A day of jobs at 10M is ~1.4M rows; past this the rate and the claim latency are known.
const RETENTION_CAP_SECONDS = 120;

const log = (s = "") => console.log(s);
async function admin(sql: string) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Reads

interface ReadCase {
  name: string;
  group: "list" | "detail" | "overview" | "campaign" | "preview" | "extra";
  /** p95 target in ms (lib). */
  target?: number;
  /** Its row in issue 13's table (printed again in the summary at the end). */
  table?: string;
  run: (db: Database) => Promise<unknown>;
}

interface ReadResult {
  name: string;
  group: string;
  target: number | null;
  lib: Stats;
  floor: Stats;
  ratio_p50: number;
  ratio_p95: number;
  rows: number;
  statements: Statement[];
  plans: string[][];
  ok: boolean | null;
  table: string | null;
}

const RATIO_TARGET = 3;

async function measureRead(db: Database, client: pg.Client, c: ReadCase): Promise<ReadResult> {
  const statements = await recordStatements(db, c.run);
  const out = await c.run(db);
  const rows = Array.isArray(out) ? out.length : Array.isArray((out as { jobs?: unknown[] })?.jobs) ? (out as { jobs: unknown[] }).jobs.length : 1;
  for (let i = 0; i < 3; i++) {
    await c.run(db);
    await replay(client, statements);
  }
  const lib: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < REPS; i++) {
    let t = performance.now();
    await c.run(db);
    lib.push(performance.now() - t);
    t = performance.now();
    await replay(client, statements);
    floor.push(performance.now() - t);
  }
  const l = stats(lib);
  const f = stats(floor);
  const plans: string[][] = [];
  // One client runs one statement at a time.
  if (c.group !== "detail") for (const s of statements) plans.push(await explain(client, s));
  const ratio_p50 = l.p50 / f.p50;
  const ratio_p95 = l.p95 / f.p95;
  const ok = c.target === undefined ? null : l.p95 <= c.target && ratio_p50 <= RATIO_TARGET;
  return { name: c.name, group: c.group, target: c.target ?? null, table: c.table ?? null, lib: l, floor: f, ratio_p50, ratio_p95, rows, statements, plans, ok };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  log(`Jobdeck read benchmark: ${JOBS.toLocaleString("en-US")} jobs, ${REPS} reps per read, database ${parsedUrl.hostname}:${parsedUrl.port || 5432}/${DB_NAME}`);
  log(`node ${process.version}, ${os.cpus().length} cores, ${os.platform()} ${os.release()}`);
  await admin(`drop database if exists "${DB_NAME}" with (force)`);
  await admin(`create database "${DB_NAME}"`);
  const db = await openDatabase({ databaseUrl: DB_URL, max: 10, applicationName: "jobdeck-bench" });
  let client = new pg.Client({ connectionString: DB_URL, application_name: "jobdeck-bench-seed" });
  await client.connect();
  const result: Record<string, unknown> = { jobs: JOBS, reps: REPS, node: process.version, cores: os.cpus().length };
  try {
    await migrate(db);
    const [{ version }] = (await client.query<{ version: string }>("select version()")).rows;
    log(version);
    log("\nSeeding");
    const t0 = performance.now();
    await seed(client, JOBS, log);
    const seedSeconds = (performance.now() - t0) / 1000;
    const counts = (await client.query<{ state: string; n: number }>("select state, count(*)::int as n from jobs group by state order by 2 desc")).rows;
    log(`  total ${seedSeconds.toFixed(1)} s; ${counts.map((c) => `${c.state} ${c.n.toLocaleString("en-US")}`).join(", ")}`);
    result.seed = { seconds: seedSeconds, by_state: Object.fromEntries(counts.map((c) => [c.state, c.n])) };
    log("\nSeeding the overview's history");
    result.overview_seed = await seedOverviewHistory(client, DB_URL, log);
    log("\nSeeding a campaign of 100,000 children");
    const campaignId = await seedLargeCampaign(client, log);

    // The floor gets its own fresh connection (not the one that bulk-loaded the table).
    await client.end();
    client = new pg.Client({ connectionString: DB_URL, application_name: "jobdeck-bench-floor" });
    await client.connect();
    const [deadJob] = (await client.query<{ id: number }>("select id from jobs where state = 'dead' order by id desc offset 100 limit 1")).rows;
    const deepBefore = Math.round(JOBS * 0.05);
    const mid = Math.round(JOBS / 2);
    const cases: ReadCase[] = [
      { name: "jobs: first page", group: "list", target: 100, run: (d) => listJobsPage(d, parseJobFilter({ limit: 50 })) },
      { name: `jobs: deep page (beforeId=${deepBefore})`, group: "list", target: 100, run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, beforeId: deepBefore })) },
      { name: "jobs: state=dead & kind=send-email", group: "list", target: 100, run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, state: "dead", kind: "send-email" })) },
      { name: 'jobs: errorPrefix="SMTP 550"', group: "list", target: 100, table: "/jobs error prefix", run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, errorPrefix: "SMTP 550" })) },
      { name: 'jobs: payload @> {"tenant_id":42}', group: "list", target: 100, table: "/jobs payload contains", run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, payload: '{"tenant_id":42}' })) },
      // Every filter has a plan (issue 13): a match-nothing text (the trigram index, not a whole-table
      // scan), the worker's attempts, time ranges as id ranges (lib/queries/job-filter-sql).
      { name: 'jobs: errorContains="insufficient"', group: "list", target: 100, table: "/jobs error contains", run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, errorContains: "insufficient" })) },
      { name: 'jobs: errorPrefix="no such error" (no match)', group: "list", target: 100, run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, errorPrefix: "no such error" })) },
      { name: 'jobs: errorContains="no such text" (no match)', group: "list", target: 100, run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, errorContains: "no such text" })) },
      { name: "jobs: worker=worker-042", group: "list", target: 100, table: "/jobs worker", run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, worker: "worker-042" })) },
      { name: "jobs: worker=no-such-worker (no match)", group: "list", target: 100, run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, worker: "no-such-worker" })) },
      { name: "jobs: createdSince=3d & createdUntil=2d", group: "list", target: 100, table: "/jobs created range", run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, createdSince: "3d", createdUntil: "2d" })) },
      { name: "jobs: createdUntil=6d", group: "list", target: 100, run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, createdUntil: "6d" })) },
      { name: "jobs: finishedSince=3d & finishedUntil=2d", group: "list", target: 100, run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, finishedSince: "3d", finishedUntil: "2d" })) },
      { name: "job detail (dead job, 1 attempt)", group: "detail", target: 30, run: (d) => getJobDetail(d, deadJob.id) },
      { name: "workers (200)", group: "list", target: 100, run: (d) => listWorkers(d) },
      { name: "stale locks", group: "list", target: 100, run: (d) => listStaleLocks(d) },
      // The whole overview page: summary (jobs indexes), charts and per-kind rates (rollups), attention.
      { name: "overview (range=24h, the default)", group: "overview", target: 150, table: "overview 24h", run: (d) => getOverview({ q: d, range: "24h" }) },
      { name: "overview (range=1h)", group: "overview", target: 150, table: "overview 1h", run: (d) => getOverview({ q: d, range: "1h" }) },
      { name: "overview (range=7d)", group: "overview", target: 150, table: "overview 7d", run: (d) => getOverview({ q: d, range: "7d" }) },
      // The campaign pages (issue 4): the aggregate of a campaign with 100,000 children, and the list.
      { name: "campaign detail (100,000 children)", group: "campaign", target: 200, table: "campaign detail, 100,000 children", run: (d) => getCampaignAggregate(d, campaignId) },
      { name: "campaigns list", group: "campaign", target: 100, table: "campaigns list", run: (d) => listCampaigns(d) },
      // Extras: other filters the Jobs page offers, and the bulk dialog's exact preview count.
      { name: "extra: previous page (afterId)", group: "extra", run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, afterId: mid })) },
      { name: "extra: state=dead,failed", group: "extra", run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, state: "dead,failed" })) },
      { name: "extra: state=completed,cancelled deep", group: "extra", run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, state: "completed,cancelled", beforeId: mid })) },
      { name: "extra: finishedSince=1h & state=dead", group: "extra", run: (d) => listJobsPage(d, parseJobFilter({ limit: 50, finishedSince: "1h", state: "dead" })) },
      { name: "extra: preview retry state=dead", group: "extra", run: (d) => previewBulk(d, { action: "retry", filter: { states: ["dead"] } }) },
      { name: "extra: preview retry kind=send-email (all states)", group: "extra", run: (d) => previewBulk(d, { action: "retry", filter: { states: [], kind: "send-email" } }) },
      { name: `preview retry, no filter (all ${JOBS.toLocaleString("en-US")})`, group: "preview", target: 150, table: "bulk preview with no filter", run: (d) => previewBulk(d, { action: "retry", filter: { states: [] } }) },
      // The source seam (issue 11): the same reads through the native source the pages now use;
      // compare with the lib/queries rows above (same SQL, one mapping to string keys more).
      { name: "seam: jobs first page via the jobdeck source", group: "extra", run: (d) => createNativeSource(d).listJobs({ criteria: { states: [] }, limit: 50 }) },
      { name: "seam: state=dead & kind=send-email via the source", group: "extra", run: (d) => createNativeSource(d).listJobs({ criteria: { states: ["dead"], kind: "send-email" }, limit: 50 }) },
      { name: "seam: job detail via the source", group: "extra", run: (d) => createNativeSource(d).getJob(String(deadJob.id)) },
    ];

    log(`\nReads (ms; lib = lib/queries on a pg Database, floor = the same SQL on a plain pg client; ${REPS} reps each)`);
    const head = ["read", "rows", "lib p50", "lib p95", "floor p50", "floor p95", "ratio p50", "ratio p95", "target p95", ""];
    const lines: string[][] = [];
    const reads: ReadResult[] = [];
    for (const c of cases) {
      await heartbeatOnlineWorkers(client);
      const r = await measureRead(db, client, c);
      reads.push(r);
      lines.push([
        r.name,
        String(r.rows),
        ms(r.lib.p50),
        ms(r.lib.p95),
        ms(r.floor.p50),
        ms(r.floor.p95),
        r.ratio_p50.toFixed(2),
        r.ratio_p95.toFixed(2),
        r.target === null ? "" : `≤ ${r.target}`,
        r.ok === null ? "" : r.ok ? "ok" : "MISSED",
      ]);
    }
    const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (l: string[]) => l.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ").trimEnd();
    log(fmt(head));
    for (const l of lines) log(fmt(l));
    log(`targets: list p95 ≤ 100 ms, detail p95 ≤ 30 ms, overview p95 ≤ 150 ms, bulk preview with no filter p95 ≤ 150 ms, campaign detail p95 ≤ 200 ms (all its queries; lib runs them in parallel, the floor one after another), ratio to floor (p50) ≤ ${RATIO_TARGET}`);

    log("\nEXPLAIN ANALYZE of each list query");
    for (const r of reads) {
      if (!r.plans.length) continue;
      log(`\n--- ${r.name}`);
      r.statements.forEach((s, i) => {
        log(`SQL: ${s.text.replace(/\s+/g, " ").trim()}`);
        log(`params: ${JSON.stringify(s.params)}`);
        for (const line of r.plans[i]) log(`  ${line}`);
      });
    }
    result.reads = reads.map(({ statements, ...r }) => ({ ...r, sql: statements.map((s) => s.text.replace(/\s+/g, " ").trim()) }));

    log("\nBulk retry of 10,000 dead jobs (applyBulk, audited batches of 1,000) with a probe worker claiming meanwhile");
    const probeDb = await openDatabase({ databaseUrl: DB_URL, max: 2, applicationName: "jobdeck-bench-probe" });
    try {
      const workerId = "bench-probe";
      await registerWorker(probeDb, { id: workerId, hostname: os.hostname(), pid: process.pid, queues: [], concurrency: 1, version: "bench" });
      const baseline = await probeFor(probeDb, workerId, 3_000);
      const stop = { done: false };
      const during = probeClaims(probeDb, workerId, stop);
      const t = performance.now();
      const bulk = await applyBulk(db, {
        action: "retry",
        filter: { states: ["dead"] },
        limit: 10_000,
        actor: { name: "bench", roles: ["admin"] },
        reason: "read benchmark",
      });
      const bulkMs = performance.now() - t;
      stop.done = true;
      const probe = await during;
      log(`  applyBulk: ${bulk.affected.toLocaleString("en-US")} retried in ${bulk.batches} batches, ${(bulkMs / 1000).toFixed(2)} s (${Math.round(bulk.affected / (bulkMs / 1000)).toLocaleString("en-US")} jobs/s); matched ${bulk.matched.toLocaleString("en-US")}, skipped_running ${bulk.skipped_running}`);
      log(`  claim (limit 1) before: p50 ${ms(baseline.claim.p50)} ms, p95 ${ms(baseline.claim.p95)} ms (${baseline.claim.n} claims)`);
      log(`  claim (limit 1) during: p50 ${ms(probe.claim.p50)} ms, p95 ${ms(probe.claim.p95)} ms, max ${ms(probe.claim.max)} ms (${probe.claim.n} claims, ${probe.claimed} jobs completed) — target p95 ≤ 50 ms: ${probe.claim.p95 <= 50 ? "ok" : "MISSED"}`);
      log(`  claim + complete during: p50 ${ms(probe.cycle.p50)} ms, p95 ${ms(probe.cycle.p95)} ms`);
      result.bulk_retry = {
        affected: bulk.affected,
        batches: bulk.batches,
        seconds: bulkMs / 1000,
        matched: bulk.matched,
        claim_before: baseline.claim,
        claim_during: probe.claim,
        claim_complete_during: probe.cycle,
        ok: probe.claim.p95 <= 50,
      };
    } finally {
      await probeDb.close();
    }
    log("\nHTTP load: 50 clients on GET /api/v1/admin/jobs for 30 s (next start on this database, an API token)");
    const http = await httpLoad(db, DB_URL, { clients: 50, seconds: 30, port: HTTP_PORT }, log);
    if (http) {
      log(`  ${http.requests.toLocaleString("en-US")} requests in ${http.seconds.toFixed(1)} s (${Math.round(http.rps).toLocaleString("en-US")} req/s): p50 ${ms(http.p50)} ms, p95 ${ms(http.p95)} ms, p99 ${ms(http.p99)} ms; errors ${http.errors} (target 0)`);
      log(`  server RSS: idle ${http.idle_rss_mb.toFixed(0)} MB, peak ${http.peak_rss_mb.toFixed(0)} MB (target ≤ 400 MB): ${http.peak_rss_mb <= 400 ? "ok" : "MISSED"}`);
      result.http = http;
    }

    log("\nRetention: a day of finished jobs expires (olderThanDays = 6 on the 7-day seed) while a probe worker claims");
    const retentionProbeDb = await openDatabase({ databaseUrl: DB_URL, max: 2, applicationName: "jobdeck-bench-probe" });
    const retention = await benchRetention(db, retentionProbeDb, "bench-probe", RETENTION_CAP_SECONDS, log).finally(() => retentionProbeDb.close());
    result.retention = retention;

    // The incident scenario has its own database; this one is done with (unless --keep).
    await client.end();
    await db.close();
    if (!KEEP) await admin(`drop database if exists "${DB_NAME}" with (force)`);
    log("\nIncident: the same reads on 20,000 jobs and on 2,000,000 jobs of which 1,000,000 are a pending backlog");
    const incident = await incidentScenario({ databaseUrl: INCIDENT_URL, admin, reps: Math.min(REPS, 15), port: HTTP_PORT, log });
    result.incident = incident;
    if (!KEEP) await admin(`drop database if exists "${INCIDENT_DB}" with (force)`);

    const table = issueTable({ reads, http, incident, retention });
    log(`\nIssue 13's table at ${JOBS.toLocaleString("en-US")} jobs`);
    printIssueTable(table, log);
    result.table = table;

    result.seconds = (performance.now() - started) / 1000;
    mkdirSync("bench-results", { recursive: true });
    const file = path.join("bench-results", "reads.json");
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`\nWrote ${file} (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  } finally {
    await client.end().catch(() => {});
    await db.close().catch(() => {});
    if (KEEP) log(`Kept databases ${DB_NAME} and ${INCIDENT_DB} (--keep)`);
    else await admin(`drop database if exists "${DB_NAME}" with (force)`).catch((e) => console.error(`could not drop ${DB_NAME}: ${e.message}`));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
