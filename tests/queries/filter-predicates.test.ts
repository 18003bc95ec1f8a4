// The job filters rewritten for their indexes (lib/queries/job-filter-sql, migration
// 0009_filter_indexes) select exactly what the plain predicates they replace selected: error
// prefix (starts_with) and contains (strpos of lower) on tricky text, worker (the current
// attempt's worker, never a pending job), created/finished ranges at their boundaries — through
// every page both ways, the bulk counts and selectJobIds; a kind in every state walked per state. Then the migration on PGlite.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";
import { parseJobFilter } from "../../lib/filters/job-filter";
import { countJobsByState, countJobsCapped, listJobsPage, selectJobIds } from "../../lib/queries/jobs";
import { claim, complete, enqueueMany, fail, retryJobs } from "../../lib/queue";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
const HOUR = 3_600_000;
const base = Date.now() - 20 * HOUR;
const at = (hours: number) => new Date(base + hours * HOUR);
const ranged: number[] = [];

/** The ids the plain predicate selects (newest first), and its counts by state. */
async function reference(where: string, params: unknown[]) {
  const rows = await t.db.query<{ id: number; state: string }>(`select j.id, j.state from jobs j where ${where} order by j.id desc`, params);
  const byState: Record<string, number> = {};
  for (const r of rows) byState[r.state] = (byState[r.state] ?? 0) + 1;
  return { ids: rows.map((r) => r.id), byState };
}

/**
 * The filter through every path that uses its SQL: all pages of 2 forwards (beforeId), each page
 * again from the next one backwards (afterId), one big page, selectJobIds and the counts.
 */
async function expectSame(input: Record<string, unknown>, where: string, params: unknown[]) {
  const want = await reference(where, params);
  const f = parseJobFilter({ ...input, limit: 2 });
  const pages = [await listJobsPage(t.db, f)];
  while (pages[pages.length - 1].nextBeforeId !== null) pages.push(await listJobsPage(t.db, { ...f, beforeId: pages[pages.length - 1].nextBeforeId! }));
  expect(pages.flatMap((p) => p.jobs.map((j) => j.id)), JSON.stringify(input)).toEqual(want.ids);
  for (let k = 1; k < pages.length; k++) {
    const back = await listJobsPage(t.db, { ...f, afterId: pages[k].prevAfterId! });
    expect(back.jobs.map((j) => j.id), `back from page ${k + 1} of ${JSON.stringify(input)}`).toEqual(pages[k - 1].jobs.map((j) => j.id));
  }
  expect((await listJobsPage(t.db, parseJobFilter({ ...input, limit: 1000 }))).jobs.map((j) => j.id)).toEqual(want.ids);
  expect(await selectJobIds(t.db, parseJobFilter({ ...input, limit: 3 }))).toEqual(want.ids.slice(0, 3));
  expect(await countJobsByState(t.db, parseJobFilter(input))).toEqual(want.byState);
  expect(await countJobsCapped(t.db, parseJobFilter(input), 1000)).toEqual({ value: want.ids.length, capped: false });
}

beforeAll(async () => {
  t = await createTestDatabase("queries_filter_predicates");
  const db = t.db;
  // Time ranges first: ids grow with created_at (as enqueueing makes them), one hour apart; two
  // jobs share an instant, and one was created 5 minutes before the job enqueued just before it
  // (an enqueuing transaction that began earlier but inserted later).
  ranged.push(...(await enqueueMany(db, Array.from({ length: 9 }, (_, i) => ({ kind: i % 2 ? "odd" : "even", queue: "tq" })))));
  const created = [at(0), at(1), at(2), at(2), at(3), at(4), new Date(at(4).getTime() - 5 * 60_000), at(5), at(6)];
  for (const [i, id] of ranged.entries()) {
    const finished = i % 3 === 2 ? null : new Date(created[i].getTime() + (i % 3) * HOUR + 30 * 60_000);
    await db.query(`update jobs set created_at = $2, finished_at = $3, state = case when $3::timestamptz is null then 'pending' else 'completed' end where id = $1`, [
      id,
      created[i],
      finished,
    ]);
  }
  // Error texts with LIKE's special characters, case, non-ASCII letters; and jobs without one.
  const errors = [
    "100% done",
    "100_ done",
    "1000 done",
    "C:\\temp\\x failed",
    "a\\%b literal",
    "Ünïcödé ÉRROR straße",
    "ünïcödé érror",
    "MiXeD Case Error",
    "%leading",
    "_under",
    "SMTP 550 mailbox\n    at send (mailer.ts:12)",
    "",
    "İstanbul dotted",
    "ΟΣ final sigma",
  ];
  const withError = await enqueueMany(db, errors.map(() => ({ kind: "err", queue: "eq" })));
  for (const [i, id] of withError.entries()) {
    await db.query(`update jobs set state = $3, last_error = $2, finished_at = now() where id = $1`, [id, errors[i], i % 2 ? "dead" : "failed"]);
  }
  await enqueueMany(db, [{ kind: "err", queue: "eq" }, { kind: "err", queue: "eq" }]);
  // Workers: completed, dead, retried (pending again: not its worker's any more), retried and
  // running on another worker, running, never claimed.
  const step = async (worker: string, outcome: "complete" | "dead" | "run") => {
    const [job] = await claim(db, { workerId: worker, queues: ["wq"], limit: 1, leaseSeconds: 60 });
    if (outcome === "complete") await complete(db, { jobId: job.id, attemptId: job.attemptId });
    if (outcome === "dead") await fail(db, { jobId: job.id, attemptId: job.attemptId, error: "boom", permanent: true });
    return job.id;
  };
  for (const [worker, outcome] of [["w-1", "complete"], ["w-1", "dead"], ["w-2", "complete"], ["w-1", "run"]] as const) {
    await enqueueMany(db, [{ kind: "work", queue: "wq" }]);
    await step(worker, outcome);
  }
  const [retried] = await enqueueMany(db, [{ kind: "work", queue: "wq" }]);
  await step("w-1", "dead");
  await retryJobs(db, [retried]);
  const [rerun] = await enqueueMany(db, [{ kind: "work", queue: "wq" }]);
  await step("w-1", "dead");
  await retryJobs(db, [rerun]);
  await step("w-2", "run");
  await enqueueMany(db, [{ kind: "work", queue: "wq-idle" }]);
});
afterAll(async () => t?.drop());

const TEXTS = ["100%", "100_", "100", "1000", "C:\\", "\\", "\\t", "%", "_", "a\\%", "a\\%b", "Ü", "ü", "ünïcödé", "ÉRROR", "érror", "MIXED", "mixed", "MiXeD", "SMTP 550", "mailer.ts:12", "\n", "İ", "i̇", "σ", "Σ", "ς", " ", "x"];

describe("error text: escaped LIKE / ILIKE select what starts_with / strpos(lower) did", () => {
  test.each(TEXTS)("%j", async (text) => {
    await expectSame({ errorPrefix: text }, "starts_with(j.last_error, $1)", [text]);
    await expectSame({ errorContains: text }, "strpos(lower(j.last_error), lower($1)) > 0", [text]);
    await expectSame({ errorContains: text, state: "dead,failed" }, "strpos(lower(j.last_error), lower($1)) > 0 and j.state in ('dead', 'failed')", [text]);
  });
});

describe("worker: the worker of the job's current attempt, walked through its attempts", () => {
  const current = "j.state <> 'pending' and exists (select 1 from job_attempts a where a.id = j.attempt_id and a.worker_id = $1)";
  test.each(["w-1", "w-2", "w-none"])("%s", async (worker) => {
    await expectSame({ worker }, current, [worker]);
    await expectSame({ worker, state: "running" }, `${current} and j.state = 'running'`, [worker]);
    await expectSame({ worker, state: "dead,completed" }, `${current} and j.state in ('dead', 'completed')`, [worker]);
    await expectSame({ worker, state: "pending" }, "false", []);
  });

  test("with other filters", async () => {
    await expectSame({ worker: "w-1", kind: "work", errorContains: "BOOM" }, `${current} and j.kind = 'work' and j.last_error ilike '%boom%'`, ["w-1"]);
    const since = new Date(Date.now() - HOUR).toISOString();
    await expectSame({ worker: "w-1", createdSince: since }, `${current} and j.created_at >= $2`, ["w-1", since]);
    await expectSame({ worker: "w-1", createdUntil: since }, "false", []);
  });
});

describe("kind in every state: walked per state on (kind, state, id), not along the primary key", () => {
  test.each(["work", "err", "odd", "even", "no-such-kind"])("%s", async (kind) => {
    await expectSame({ kind }, "j.kind = $1", [kind]);
    await expectSame({ kind, queue: "wq" }, "j.kind = $1 and j.queue = 'wq'", [kind]);
    await expectSame({ kind, errorContains: "o" }, "j.kind = $1 and strpos(lower(j.last_error), 'o') > 0", [kind]);
  });
});

describe("created / finished ranges: the time predicate, walked as an id range", () => {
  const iso = (d: Date, minutes = 0) => new Date(d.getTime() + minutes * 60_000).toISOString();
  const cases: [string, Record<string, string>, string][] = [];
  for (const [label, d] of [["at(2)", at(2)], ["at(4)", at(4)], ["at(4) − 5 min", new Date(at(4).getTime() - 5 * 60_000)], ["at(0)", at(0)], ["at(6)", at(6)]] as const) {
    for (const m of [-1, 0, 1]) {
      cases.push([`createdSince ${label} ${m} min`, { createdSince: iso(d, m) }, "j.created_at >= $1"]);
      cases.push([`createdUntil ${label} ${m} min`, { createdUntil: iso(d, m) }, "j.created_at < $1"]);
      cases.push([`finishedSince ${label} ${m + 30} min`, { finishedSince: iso(d, m + 30) }, "j.finished_at >= $1"]);
      cases.push([`finishedUntil ${label} ${m + 30} min`, { finishedUntil: iso(d, m + 30) }, "j.finished_at < $1"]);
    }
  }
  test.each(cases)("%s", async (_, input, where) => {
    const value = Object.values(input)[0];
    await expectSame({ queue: "tq", ...input }, `j.queue = 'tq' and ${where}`, [value]);
  });

  test("both ends, with other filters, relative bounds, and a range with no jobs", async () => {
    const [a, b] = [iso(at(1)), iso(at(4), -1)];
    await expectSame({ createdSince: a, createdUntil: b }, "j.created_at >= $1 and j.created_at < $2", [a, b]);
    await expectSame({ createdSince: a, createdUntil: b, kind: "odd", state: "completed,pending" }, "j.created_at >= $1 and j.created_at < $2 and j.kind = 'odd'", [a, b]);
    await expectSame({ finishedSince: a, finishedUntil: iso(at(5)) }, "j.finished_at >= $1 and j.finished_at < $2", [a, iso(at(5))]);
    await expectSame({ createdSince: a, finishedUntil: iso(at(3)) }, "j.created_at >= $1 and j.finished_at < $2", [a, iso(at(3))]);
    // Relative: 20 h ago is at(0); the half hours keep now()'s drift off every boundary.
    await expectSame({ createdSince: "1050m", createdUntil: "870m" }, "j.created_at >= now() - interval '1050 minutes' and j.created_at < now() - interval '870 minutes'", []);
    await expectSame({ finishedUntil: "1050m" }, "j.finished_at < now() - interval '1050 minutes'", []);
    await expectSame({ createdUntil: iso(at(-5)) }, "false", []);
    await expectSame({ createdSince: iso(at(3), 1), createdUntil: iso(at(3), 2) }, "false", []);
  });
});

test("on PGlite the migration loads pg_trgm, and the rewritten filters run there", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-filters-pglite-"));
  const db = await openDatabase({ dataDir: dir, databaseUrl: "" });
  try {
    expect(await migrate(db)).toContain("0009_filter_indexes");
    const indexes = await db.query<{ indexname: string }>(
      "select indexname from pg_indexes where indexname in ('jobs_last_error_trgm_idx', 'jobs_error_id_idx', 'job_attempts_worker_job_idx') order by 1",
    );
    expect(indexes.map((i) => i.indexname)).toEqual(["job_attempts_worker_job_idx", "jobs_error_id_idx", "jobs_last_error_trgm_idx"]);
    const [a, b] = await enqueueMany(db, [{ kind: "k", payload: { user: { id: 7 } } }, { kind: "k" }]);
    const [job] = await claim(db, { workerId: "w-lite", limit: 1, leaseSeconds: 60 });
    await fail(db, { jobId: job.id, attemptId: job.attemptId, error: "100% Ünïcödé failure", permanent: true });
    const ids = async (input: Record<string, unknown>) => (await listJobsPage(db, parseJobFilter(input))).jobs.map((j) => j.id);
    expect(await ids({ errorPrefix: "100%" })).toEqual([a]);
    expect(await ids({ errorPrefix: "100_" })).toEqual([]);
    expect(await ids({ errorContains: "ÜNÏCÖDÉ" })).toEqual([a]);
    expect(await ids({ worker: "w-lite" })).toEqual([a]);
    expect(await ids({ payload: '{"user":{"id":7}}' })).toEqual([a]);
    expect(await ids({ createdSince: "1h" })).toEqual([b, a]);
    expect(await ids({ createdUntil: "1h" })).toEqual([]);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000); // PGlite starts and migrates in WASM: slow on a busy machine.
