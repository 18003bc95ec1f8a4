// The pg-boss source at 1M jobs: `node bin/run-ts.mjs scripts/bench/source-pgboss.ts --jobs=1000000`
//
// For pg-boss 10.4.2 and 12.38.0 (--versions=10,12), in a fresh local database
// jobdeck_bench_pgboss<major> (JOBDECK_BENCH_PGBOSS_URL may name another *local* server):
//   1. pg-boss installs its schema (start()), creates 4 queues and inserts --jobs jobs with its own
//      batch insert (insert(), 5,000 per statement); one set-based fixture UPDATE then spreads them
//      over 7 days of created_on and mixed states (85% completed, 2% failed, 1% retry, 1%
//      cancelled, 0.5% active with some past expiry, the rest created), as a busy week leaves
//      them; on 10.x pg-boss's own archive() then moves completed jobs older than 12 h to its
//      archive table. VACUUM ANALYZE (what autovacuum would have done).
//   2. Times, --reps (15) times each, the source's reads: the first page, filtered pages, a deep
//      cursor page (half-way back in time), capped counts, the summary (uncached), stale jobs,
//      one job's detail, with NO index beyond pg-boss's own.
//   3. Creates the opt-in index (name, state, created_on, id) on pgboss.job (and pgboss.archive)
//      and times the same reads again. Prints a table of p50/p95 (ms) and drops the databases
//      unless --keep. The statement timeout is raised to 120 s so slow plans show their real time
//      (the source's default is 5 s: a read slower than that fails instead).
// Flags: --jobs=N --reps=N --versions=10,12 --keep (leave the databases) --reuse (measure kept ones)
import { type Database, openDatabase } from "../../db/client";
import type { JobCriteria } from "../../lib/filters/job-filter";
import { createPgBossSource } from "../../lib/sources/pgboss";
import { createContext } from "../../lib/sources/pgboss/context";
import { openGuestDatabase } from "../../lib/sources/guest-db";
import { encodeCursor } from "../../lib/sources/pgboss/keys";
import { readSummary } from "../../lib/sources/pgboss/summary";
import type { Source } from "../../lib/sources/types";
import PgBoss10 from "pg-boss";
import { PgBoss as PgBoss12 } from "pg-boss-v12";
import pg from "pg";

const arg = (name: string, dflt: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt;
const JOBS = Number(arg("jobs", "1000000"));
const REPS = Number(arg("reps", "15"));
const VERSIONS = arg("versions", "10,12").split(",").map(Number) as (10 | 12)[];
const KEEP = process.argv.includes("--keep");
/** Measure a database an earlier --keep run filled (dropping the opt-in index first). */
const REUSE = process.argv.includes("--reuse");
const SERVER = process.env.JOBDECK_BENCH_PGBOSS_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(new URL(SERVER).hostname)) throw new Error("the pg-boss bench runs on a local server only");
process.env.JOBDECK_SOURCE_STATEMENT_TIMEOUT_MS = "120000";

const urlFor = (db: string) => Object.assign(new URL(SERVER), { pathname: `/${db}` }).toString();
async function admin(text: string, url = SERVER): Promise<pg.QueryResultRow[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function time(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn(); // warm
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return { p50: pct(ms, 50), p95: pct(ms, 95) };
}

async function fill(major: 10 | 12, url: string): Promise<string[]> {
  const queues = ["email", "reports", "webhooks", major === 10 ? "billing:invoices" : "billing.invoices"];
  const config = { connectionString: url, supervise: false, schedule: false, max: 4 };
  const boss = major === 10 ? new PgBoss10(config) : new PgBoss12(config);
  (boss as unknown as { on(e: string, fn: (e: unknown) => void): void }).on("error", (e) => console.error("pg-boss:", (e as Error).message));
  await boss.start();
  for (const q of queues) await boss.createQueue(q);
  const started = Date.now();
  const BATCH = 5_000;
  for (let done = 0; done < JOBS; done += BATCH) {
    const n = Math.min(BATCH, JOBS - done);
    const q = queues[(done / BATCH) % queues.length];
    const jobs = Array.from({ length: n }, (_, i) => ({ name: q, data: { user_id: (done + i) % 5_000, order: done + i } }));
    if (major === 10) await (boss as PgBoss10).insert(jobs);
    else await (boss as unknown as { insert(name: string, jobs: unknown[]): Promise<unknown> }).insert(q, jobs);
    if ((done / BATCH) % 40 === 0) process.stdout.write(`\r  pg-boss ${major}: inserted ${done + n} jobs`);
  }
  console.log(`\r  pg-boss ${major}: inserted ${JOBS} jobs with insert() in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // The fixture: one set-based UPDATE spreads the jobs over a week and over the states a busy week leaves.
  const t = Date.now();
  const expire = major === 10 ? "expire_in = interval '15 minutes'" : "expire_seconds = 900";
  await admin(
    `with r as (select name, id, random() as s, random() as a from pgboss.job)
     update pgboss.job j set
       created_on = now() - r.a * interval '7 days',
       start_after = case when r.s >= 0.99 then now() + interval '1 hour' else now() - r.a * interval '7 days' end,
       state = (case when r.s < 0.85 then 'completed' when r.s < 0.87 then 'failed' when r.s < 0.88 then 'retry'
                     when r.s < 0.89 then 'cancelled' when r.s < 0.895 then 'active' else 'created' end)::pgboss.job_state,
       started_on = case when r.s < 0.895 then now() - r.a * interval '7 days' + interval '2 seconds' end,
       completed_on = case when r.s < 0.87 or (r.s >= 0.88 and r.s < 0.89) then now() - r.a * interval '7 days' + interval '3 seconds' end,
       retry_count = case when r.s >= 0.85 and r.s < 0.88 then 1 else 0 end,
       output = case when r.s < 0.85 then '{"ok": true}'::jsonb
                     when r.s < 0.88 then jsonb_build_object('name', 'Error', 'message', case when r.s < 0.86 then 'connect timeout' else 'HTTP 500 from upstream' end, 'stack', 'Error: ...')
                end,
       ${expire}
     from r where j.name = r.name and j.id = r.id`,
    url,
  );
  console.log(`  fixture states and times in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  if (major === 10) {
    const a = Date.now();
    await (boss as PgBoss10).archive(); // pg-boss's own: completed jobs older than 12 h (its default) → pgboss.archive
    console.log(`  pg-boss archive() in ${((Date.now() - a) / 1000).toFixed(0)} s`);
  }
  await boss.stop({ graceful: false });
  await admin("vacuum analyze pgboss.job", url);
  if (major === 10) await admin("vacuum analyze pgboss.archive", url);
  const counts = await admin(
    major === 10
      ? "select state::text, count(*)::int as n from (select state from pgboss.job union all select state from pgboss.archive) x group by 1 order by 1"
      : "select state::text, count(*)::int as n from pgboss.job group by 1 order by 1",
    url,
  );
  console.log(`  states: ${counts.map((r) => `${r.state} ${Number(r.n).toLocaleString("en-US")}`).join(", ")}`);
  return queues;
}

type Row = { op: string; plain: { p50: number; p95: number }; indexed?: { p50: number; p95: number } };

async function measure(major: 10 | 12, url: string, control: Database, queues: string[]): Promise<Map<string, { p50: number; p95: number }>> {
  const config = { name: `bench${major}`, kind: "pg-boss" as const, url, schema: "pgboss", readOnly: false };
  const source: Source = await createPgBossSource(config, control, { DATABASE_URL: url, JOBDECK_SOURCE_STATEMENT_TIMEOUT_MS: "120000" });
  const guest = await openGuestDatabase(config, control, { DATABASE_URL: url, JOBDECK_SOURCE_STATEMENT_TIMEOUT_MS: "120000" });
  const ctx = createContext(config, guest);
  const [deep] = await admin(
    `select to_char(created_on at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as t, id::text from pgboss.job where created_on < now() - interval '3 days 12 hours' order by created_on desc limit 1`,
    url,
  );
  const deepCursor = encodeCursor({ t: deep.t, id: deep.id });
  const [one] = await admin("select name, id::text from pgboss.job where state = 'failed' limit 1", url);
  const all: JobCriteria = { states: [] };
  const ops: [string, () => Promise<unknown>][] = [
    ["list: first page (50)", () => source.listJobs({ criteria: all, limit: 50 })],
    ["list: dead in one queue", () => source.listJobs({ criteria: { states: ["dead"], queue: queues[0] }, limit: 50 })],
    ["list: pending, all queues", () => source.listJobs({ criteria: { states: ["pending"] }, limit: 50 })],
    ["list: errorContains 'http 500'", () => source.listJobs({ criteria: { states: [], errorContains: "http 500" }, limit: 50 })],
    ["list: payload {user_id: 42}", () => source.listJobs({ criteria: { states: [], payloadContains: { user_id: 42 } }, limit: 50 })],
    ["list: deep cursor (3.5 d back)", () => source.listJobs({ criteria: all, limit: 50, before: deepCursor })],
    ["count: dead, cap 10,000", () => source.countJobs({ states: ["dead"] }, 10_000)],
    ["summary (uncached)", () => readSummary(ctx)],
    ["stale jobs", () => source.listStale()],
    ["job detail", () => source.getJob(`${one.name}:${one.id}`)],
  ];
  const out = new Map<string, { p50: number; p95: number }>();
  for (const [name, fn] of ops) {
    try {
      out.set(name, await time(fn));
    } catch (err) {
      console.log(`  ${name}: ${(err as Error).message}`);
    }
  }
  await source.close();
  await guest.close();
  return out;
}

const f = (v?: { p50: number; p95: number }) => (v ? `${v.p50.toFixed(1).padStart(8)} ${v.p95.toFixed(1).padStart(8)}` : "       –        –");

for (const major of VERSIONS) {
  const db = `jobdeck_bench_pgboss${major}`;
  const url = urlFor(db);
  let queues: string[];
  if (REUSE) {
    queues = (await admin("select name from pgboss.queue order by name", url)).map((r) => String(r.name));
    await admin("drop index if exists pgboss.job_jobdeck_list", url);
    await admin("drop index if exists pgboss.archive_jobdeck_list", url);
    const [{ n }] = await admin("select count(*)::int as n from pgboss.job", url);
    console.log(`pg-boss ${major}: reusing ${db} (${Number(n).toLocaleString("en-US")} rows in pgboss.job)`);
  } else {
    await admin(`drop database if exists ${db} with (force)`);
    await admin(`create database ${db}`);
    console.log(`pg-boss ${major}: ${JOBS.toLocaleString("en-US")} jobs in ${db}`);
    queues = await fill(major, url);
  }
  const control = await openDatabase({ databaseUrl: url, max: 2 });
  const plain = await measure(major, url, control, queues);
  const t = Date.now();
  // The opt-in index, as the README gives it (there: CONCURRENTLY, partition by partition).
  await admin("create index job_jobdeck_list on pgboss.job (name, state, created_on, id)", url);
  if (major === 10) await admin("create index archive_jobdeck_list on pgboss.archive (name, state, created_on, id)", url);
  await admin("analyze pgboss.job", url);
  console.log(`  opt-in index built in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  const indexed = await measure(major, url, control, queues);
  await control.close();
  const rows: Row[] = [...plain.keys(), ...[...indexed.keys()].filter((k) => !plain.has(k))].map((op) => ({ op, plain: plain.get(op)!, indexed: indexed.get(op) }));
  console.log(`\npg-boss ${major}, ${JOBS.toLocaleString("en-US")} jobs, ${REPS} reps (ms)          pg-boss indexes only   + opt-in index`);
  console.log(`${"".padEnd(40)}      p50      p95      p50      p95`);
  for (const r of rows) console.log(`${r.op.padEnd(40)} ${f(r.plain)} ${f(r.indexed)}`);
  console.log("");
  if (!KEEP) await admin(`drop database if exists ${db} with (force)`);
}
