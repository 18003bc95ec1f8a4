// Four real `jobdeck worker` processes drain 5,000 jobs. Every execution is recorded by the
// handler (tests/fixtures/queue-record.mjs) through its own connection, so the test proves from
// the outside: every job completed exactly once, one attempt per job, no two executions or
// attempts of one job overlapped, and every worker took part and stopped cleanly on SIGTERM.
import { afterAll, beforeAll, expect, test } from "vitest";
import { enqueueMany } from "../../lib/queue";
import { type WorkerProcess, fixture, killQuietly, spawnWorker, stopWorker, waitFor } from "../fixtures/queue-helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

const WORKERS = 4;
const JOBS = 5_000;
const CONCURRENCY = 8;

let t: TestDatabase;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  t = await createTestDatabase("queue_concurrency");
  await t.db.query(`create table executions (
    id bigserial primary key, job_id bigint not null, attempt int not null, worker_pid int not null,
    started_at timestamptz not null, finished_at timestamptz)`);
});
afterAll(async () => {
  workers.forEach(killQuietly);
  await t?.drop();
});

test(`${WORKERS} worker processes × ${JOBS} jobs: every job completed exactly once`, { timeout: 120_000 }, async () => {
  workers.push(
    ...(await Promise.all(
      Array.from({ length: WORKERS }, () =>
        spawnWorker({
          databaseUrl: t.url,
          handlers: fixture("queue-record.mjs"),
          concurrency: CONCURRENCY,
          // Short heartbeats so leases are extended (and peers swept) many times during the run;
          // a lease long enough that a busy 2-core machine never lets a live worker's lease lapse.
          env: { JOBDECK_LEASE_SECONDS: "10", JOBDECK_HEARTBEAT_SECONDS: "1" },
        }),
      ),
    )),
  );
  expect(new Set(workers.map((w) => w.id)).size).toBe(WORKERS);

  // Enqueue only once every worker is up, so all of them compete for the same jobs.
  const ids = await t.db.tx((q) =>
    enqueueMany(
      q,
      Array.from({ length: JOBS }, (_, n) => ({ kind: "record", payload: { n, sleepMs: n % 10 === 0 ? 5 : 0 }, priority: n % 3 })),
    ),
  );
  expect(ids).toHaveLength(JOBS);

  await waitFor(
    "every job to finish",
    async () => {
      const [r] = await t.db.query<{ open: number }>("select count(*)::int open from jobs where state <> 'completed'");
      return r.open === 0;
    },
    90_000,
    250,
  );

  // Stop the workers: each exits 0 and is marked stopped.
  const exits = await Promise.all(workers.map((w) => stopWorker(w)));
  expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
  const rows = await t.db.query<{ id: string; pid: number; stopped_at: Date | null; processed: number; failed: number }>(
    "select id, pid, stopped_at, processed, failed from workers order by id",
  );
  expect(rows.map((r) => r.id).sort()).toEqual(workers.map((w) => w.id).sort());
  for (const r of rows) {
    expect(r.stopped_at).not.toBeNull();
    expect(r.failed).toBe(0);
    // every process took part
    expect(r.processed).toBeGreaterThan(0);
  }
  expect(rows.reduce((s, r) => s + r.processed, 0)).toBe(JOBS);

  // Jobs: all completed, by their first and only attempt, with the handler's result.
  const [jobs] = await t.db.query<{ n: number; completed: number; first_attempt: number; with_result: number }>(
    `select count(*)::int n, count(*) filter (where state = 'completed')::int completed,
            count(*) filter (where attempts = 1)::int first_attempt,
            count(*) filter (where (result->>'n')::int = (payload->>'n')::int)::int with_result
     from jobs`,
  );
  expect(jobs).toEqual({ n: JOBS, completed: JOBS, first_attempt: JOBS, with_result: JOBS });

  // job_attempts: exactly one attempt per job, completed, by a worker that exists, and it is
  // the attempt the job row names.
  const [att] = await t.db.query<{ n: number; jobs: number; completed: number; matching: number; known_worker: number }>(
    `select count(*)::int n, count(distinct a.job_id)::int jobs,
            count(*) filter (where a.outcome = 'completed')::int completed,
            count(*) filter (where j.attempt_id = a.id)::int matching,
            count(*) filter (where w.id is not null)::int known_worker
     from job_attempts a join jobs j on j.id = a.job_id left join workers w on w.id = a.worker_id`,
  );
  expect(att).toEqual({ n: JOBS, jobs: JOBS, completed: JOBS, matching: JOBS, known_worker: JOBS });

  // No job was ever held by two live attempts: no two attempt intervals of one job overlap.
  const [overlapAttempts] = await t.db.query<{ n: number }>(
    `select count(*)::int n from job_attempts a join job_attempts b
       on a.job_id = b.job_id and a.id < b.id and b.started_at < coalesce(a.finished_at, 'infinity')`,
  );
  expect(overlapAttempts.n).toBe(0);

  // Executions seen by the handlers: exactly one per job, finished, and no two overlapping.
  const [ex] = await t.db.query<{ n: number; jobs: number; finished: number; pids: number; first_attempt: number }>(
    `select count(*)::int n, count(distinct job_id)::int jobs, count(finished_at)::int finished,
            count(distinct worker_pid)::int pids, count(*) filter (where attempt = 1)::int first_attempt
     from executions`,
  );
  expect(ex).toEqual({ n: JOBS, jobs: JOBS, finished: JOBS, pids: WORKERS, first_attempt: JOBS });
  const [overlapExec] = await t.db.query<{ n: number }>(
    `select count(*)::int n from executions a join executions b
       on a.job_id = b.job_id and a.id < b.id and b.started_at < coalesce(a.finished_at, 'infinity')`,
  );
  expect(overlapExec.n).toBe(0);
  // The executions are the jobs we enqueued, each run by the process that the attempt names.
  const [mismatch] = await t.db.query<{ n: number }>(
    `select count(*)::int n from executions e
       join job_attempts a on a.job_id = e.job_id
       join workers w on w.id = a.worker_id
     where w.pid <> e.worker_pid`,
  );
  expect(mismatch.n).toBe(0);
  const executedIds = await t.db.query<{ job_id: number }>("select job_id from executions order by job_id");
  expect(executedIds.map((r) => r.job_id)).toEqual([...ids].sort((a, b) => a - b));

  // Each worker's processed counter matches what its handlers executed.
  const perPid = await t.db.query<{ worker_pid: number; n: number }>("select worker_pid, count(*)::int n from executions group by 1");
  const processedByPid = new Map(rows.map((r) => [r.pid, r.processed]));
  for (const p of perPid) expect(processedByPid.get(p.worker_pid)).toBe(p.n);
});
