// The graphile-worker source at scale: `node bin/run-ts.mjs scripts/bench/source-graphile.ts --jobs=1000000`.
//
//   1. Creates `jobdeck_bench_graphile` on the local server (dropped first;
//      JOBDECK_BENCH_GRAPHILE_URL may name another database on a *local* server), installs
//      graphile-worker 0.17 with its own migrations, and adds --jobs jobs with graphile-worker's
//      own add_jobs SQL function. graphile-worker keeps only pending, locked and failed jobs
//      (completed ones are deleted): a real graphile-worker first fails 2% of them (half with
//      retries left, half permanently) and a worker pool takes 20 locks it holds during the
//      timings; then the backlog follows in batches of 10,000 (five tasks, a quarter in named
//      queues, a tenth scheduled later). That order matters: with a million jobs ahead of them
//      graphile-worker's own get_job would crawl.
//   2. Times the source's reads --reps (15) times each, interleaved: first page, filtered pages,
//      a deep cursor page and its previous page, a capped count, detail, lock holders, stale
//      locks, a filter preview, and the summary uncached (the source caches it for 5 s).
//      No index is added to graphile-worker's tables.
//   3. Adds the two opt-in indexes the README recommends and times the same reads again, then
//      drops them. Prints one table (p50/p95 in ms, without and with the indexes).
//
// Flags: --jobs=N (≥ 10000)  --reps=N (≥ 5)  --keep (leave the database)
import { Logger, run, runMigrations, type Runner } from "graphile-worker";
import pg from "pg";
import { openDatabase } from "../../db/client";
import { percentile } from "../bench-reads/measure";
import { createGraphileSource } from "../../lib/sources/graphile";
import { openGuestDatabase } from "../../lib/sources/guest-db";
import { graphileSummary } from "../../lib/sources/graphile/summary";
import type { SourceConfig } from "../../lib/sources/config";
import type { Source } from "../../lib/sources/types";

function flag(name: string): string | undefined {
  const hit = process.argv.slice(2).find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  return hit === undefined ? undefined : hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "true";
}
function usage(message: string): never {
  console.error(`bench source-graphile: ${message}`);
  process.exit(2);
}
for (const a of process.argv.slice(2)) if (!/^--(jobs|reps|keep)(=|$)/.test(a)) usage(`unknown argument ${a} (known: --jobs=N --reps=N --keep)`);
const JOBS = Number(flag("jobs") ?? 1_000_000);
const REPS = Number(flag("reps") ?? 15);
const KEEP = flag("keep") === "true";
if (!Number.isInteger(JOBS) || JOBS < 10_000) usage("--jobs must be a whole number ≥ 10000");
if (!Number.isInteger(REPS) || REPS < 5) usage("--reps must be a whole number ≥ 5");

const URL_ = process.env.JOBDECK_BENCH_GRAPHILE_URL ?? "postgres://postgres@127.0.0.1:5432/jobdeck_bench_graphile";
const url = new URL(URL_);
if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(url.hostname)) usage(`refusing a non-local database (${url.hostname}): the benchmark drops and recreates it`);
const DB_NAME = decodeURIComponent(url.pathname.slice(1));
const adminUrl = new URL(URL_);
adminUrl.pathname = "/postgres";

/** 2% of the jobs (20,000 at a million) fail; 20 are held. */
const FAILING = Math.min(20_000, Math.floor(JOBS / 50));
const HELD = 20;
const TASKS = ["send_email", "resize_image", "sync_crm", "webhook", "report"];
const logger = new Logger(() => (level, message) => {
  if (level === "error" && !message.startsWith("Failed task")) console.error(`graphile-worker: ${message}`);
});
const say = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

/** The recommended opt-in indexes (README, "Sources → graphile-worker"). */
const OPT_IN_INDEXES = [
  "create index concurrently if not exists jobdeck_locked_idx on graphile_worker._private_jobs (locked_at) where locked_at is not null",
  "create index concurrently if not exists jobdeck_attempted_idx on graphile_worker._private_jobs (id) where attempts > 0",
];

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl.toString() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The jobs a real worker fails and holds: the oldest ids, as in a backlog. */
async function seedWorked(c: pg.Client) {
  await c.query(
    `select count(*) from graphile_worker.add_jobs(array(
       select row('flaky_bench', json_build_object('i', i), null, null, case when i % 2 = 0 then 1 else 3 end, null, null, null)::graphile_worker.job_spec
       from generate_series(1, $1) i))`,
    [FAILING],
  );
  await c.query(
    `select count(*) from graphile_worker.add_jobs(array(
       select row('hold_bench', json_build_object('i', i), null, null, null, null, null, null)::graphile_worker.job_spec from generate_series(1, $1) i))`,
    [HELD],
  );
}

/** The backlog, added after the worker's part: with it in place graphile-worker's own get_job would crawl past it. */
async function seedBacklog(c: pg.Client) {
  const rest = JOBS - FAILING - HELD;
  for (let from = 1; from <= rest; from += 10_000) {
    const to = Math.min(rest, from + 9_999);
    await c.query(
      `select count(*) from graphile_worker.add_jobs(array(
         select row(
           ($3::text[])[1 + i % 5],
           json_build_object('user_id', i % 10000, 'n', i),
           case when i % 4 = 0 then 'q_' || (i % 3) end,
           case when i % 10 = 0 then now() + make_interval(mins => 60 + i % 1440) end,
           null, null,
           case when i % 7 = 0 then -1 when i % 11 = 0 then 1 end,
           null)::graphile_worker.job_spec
         from generate_series($1::int, $2::int) i))`,
      [from, to, TASKS],
    );
    if ((to / 10_000) % 10 === 0 || to === rest) say(`added ${to.toLocaleString("en-US")} of ${rest.toLocaleString("en-US")} backlog jobs`);
  }
}

interface Row {
  name: string;
  run: () => Promise<unknown>;
}

async function time(rows: Row[]): Promise<Map<string, { p50: number; p95: number }>> {
  const samples = new Map<string, number[]>(rows.map((r) => [r.name, []]));
  for (const r of rows) await r.run(); // warm the cache once
  for (let i = 0; i < REPS; i++) {
    for (const r of rows) {
      const t0 = performance.now();
      await r.run();
      samples.get(r.name)!.push(performance.now() - t0);
    }
  }
  return new Map(
    [...samples].map(([k, v]) => {
      const s = [...v].sort((a, b) => a - b);
      return [k, { p50: percentile(s, 50), p95: percentile(s, 95) }];
    }),
  );
}

async function main() {
  say(`database ${DB_NAME}: ${JOBS.toLocaleString("en-US")} jobs, ${REPS} reps`);
  await admin(`drop database if exists "${DB_NAME}" with (force)`);
  await admin(`create database "${DB_NAME}"`);
  await runMigrations({ connectionString: URL_, logger });
  const c = new pg.Client({ connectionString: URL_ });
  await c.connect();
  await seedWorked(c);
  say(`a real worker fails ${FAILING.toLocaleString("en-US")} jobs (half with retries left) and holds ${HELD}`);
  // A real pool runs them until each has failed once (retries that come due meanwhile run too).
  const failer = await run({
    connectionString: URL_,
    logger,
    concurrency: 4,
    noHandleSignals: true,
    taskList: {
      flaky_bench: async () => {
        throw new Error("flaky_bench: upstream 503\n    at call (bench.ts:1)");
      },
    },
  });
  for (;;) {
    const { rows } = await c.query("select count(*)::int as n from graphile_worker.jobs where task_identifier = 'flaky_bench' and attempts = 0");
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await failer.stop();
  await failer.promise.catch(() => {});
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const holder: Runner = await run({ connectionString: URL_, logger, concurrency: HELD, noHandleSignals: true, taskList: { hold_bench: () => gate } });
  for (;;) {
    const { rows } = await c.query("select count(*)::int as n from graphile_worker.jobs where task_identifier = 'hold_bench' and locked_at is not null");
    if (rows[0].n >= HELD) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const t0 = performance.now();
  await seedBacklog(c);
  say(`backlog added in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  await c.query("vacuum analyze graphile_worker._private_jobs");
  const { rows: shape } = await c.query(
    `select case when locked_at is not null then 'locked' when attempts >= max_attempts then 'permanently failed' when attempts > 0 then 'failed, retry scheduled'
       when run_at > now() then 'scheduled' else 'waiting' end as s, count(*)::int as n from graphile_worker.jobs group by 1 order by 2 desc`,
  );
  say(`jobs: ${shape.map((r) => `${r.s} ${r.n.toLocaleString("en-US")}`).join(", ")}`);

  const control = await openDatabase({ databaseUrl: URL_, max: 2 });
  const env = { ...process.env, DATABASE_URL: URL_ };
  const config: SourceConfig = { name: "bench", kind: "graphile-worker", url: URL_, schema: "graphile_worker", readOnly: false };
  const source: Source = await createGraphileSource(config, control, env);
  const guest = await openGuestDatabase(config, control, env);
  const { rows: ids } = await c.query("select min(id)::text as lo, max(id)::text as hi from graphile_worker.jobs");
  const mid = String((BigInt(ids[0].lo) + BigInt(ids[0].hi)) / 2n);
  const failedKey = (await source.listJobs({ criteria: { states: ["failed"] }, limit: 1 })).jobs[0].key;
  const deep = `g.${mid}`;
  const all = { states: [] };
  const rows: Row[] = [
    { name: "list: first page (50)", run: () => source.listJobs({ criteria: all, limit: 50 }) },
    { name: "list: deep cursor page (middle)", run: () => source.listJobs({ criteria: all, limit: 50, before: deep }) },
    { name: "list: previous page (middle)", run: () => source.listJobs({ criteria: all, limit: 50, after: deep }) },
    { name: "list: task + queue", run: () => source.listJobs({ criteria: { states: [], kind: "webhook", queue: "q_1" }, limit: 50 }) },
    { name: "list: state failed (1% of jobs)", run: () => source.listJobs({ criteria: { states: ["failed"] }, limit: 50 }) },
    { name: "list: state dead (1%)", run: () => source.listJobs({ criteria: { states: ["dead"] }, limit: 50 }) },
    { name: "list: state running (20 locked)", run: () => source.listJobs({ criteria: { states: ["running"] }, limit: 50 }) },
    { name: "list: error prefix", run: () => source.listJobs({ criteria: { states: [], errorPrefix: "flaky_bench:" }, limit: 50 }) },
    { name: "list: payload contains", run: () => source.listJobs({ criteria: { states: [], payloadContains: { user_id: 42 } }, limit: 50 }) },
    { name: "count: pending, cap 10,000", run: () => source.countJobs({ states: ["pending"] }, 10_000) },
    { name: "job detail", run: () => source.getJob(failedKey) },
    { name: "workers (lock holders)", run: () => source.listWorkers() },
    { name: "stale locks", run: () => source.listStale() },
    { name: "preview retry: failed+dead", run: () => source.preview({ action: "retry", target: { criteria: { states: ["failed", "dead"] } } }) },
    { name: "summary (uncached)", run: () => graphileSummary(guest, "graphile_worker") },
  ];
  say("timing without extra indexes");
  const plain = await time(rows);
  say("adding the opt-in indexes");
  for (const sql of OPT_IN_INDEXES) await c.query(sql);
  await c.query("analyze graphile_worker._private_jobs");
  say("timing with the opt-in indexes");
  const indexed = await time(rows);
  for (const name of ["jobdeck_locked_idx", "jobdeck_attempted_idx"]) await c.query(`drop index concurrently if exists graphile_worker.${name}`);

  const f = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1)).padStart(8);
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`\ngraphile-worker source, ${JOBS.toLocaleString("en-US")} jobs, ${REPS} reps (ms)`);
  console.log(`${"".padEnd(w)}   no extra index   |  opt-in indexes`);
  console.log(`${"read".padEnd(w)}      p50      p95 |      p50      p95`);
  for (const r of rows) {
    const a = plain.get(r.name)!;
    const b = indexed.get(r.name)!;
    console.log(`${r.name.padEnd(w)} ${f(a.p50)} ${f(a.p95)} | ${f(b.p50)} ${f(b.p95)}`);
  }
  const summary = await graphileSummary(guest, "graphile_worker");
  console.log(`\nsummary counts: ${Object.entries(summary.counts).map(([k, v]) => `${k} ${v!.capped ? "≥" : ""}${v!.value.toLocaleString("en-US")}`).join(", ")}; stale ${summary.stale}`);

  release();
  await holder.stop();
  await holder.promise.catch(() => {});
  await source.close();
  await guest.close();
  await control.close();
  await c.end();
  if (!KEEP) await dropWhenIdle();
}

/** graphile-worker's pools end their idle connections a moment after stop(): wait for them rather than kill them. */
async function dropWhenIdle() {
  for (let i = 0; i < 20; i++) {
    try {
      await admin(`drop database if exists "${DB_NAME}"`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== "55006") throw err; // 55006: still in use
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await admin(`drop database if exists "${DB_NAME}" with (force)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
