// A worker process is killed with SIGKILL in the middle of a job. After its lease expires, a
// second worker's sweep recovers the job and runs it to completion; the attempt history keeps
// both attempts, and the crashed attempt's late completion is rejected and changes nothing.
import { afterAll, beforeAll, expect, test } from "vitest";
import { QueueError, complete, enqueue } from "../../lib/queue";
import { type WorkerProcess, attemptRows, fixture, jobRow, killQuietly, spawnWorker, stopWorker, waitFor } from "../fixtures/queue-helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
const procs: WorkerProcess[] = [];
beforeAll(async () => {
  t = await createTestDatabase("queue_crash");
  await t.db.query(`create table events (id bigserial primary key, at timestamptz not null default clock_timestamp(),
    job_id bigint not null, attempt int not null, worker_pid int not null, what text not null)`);
});
afterAll(async () => {
  procs.forEach(killQuietly);
  await t?.drop();
});

const events = (jobId: number) =>
  t.db.query<{ attempt: number; worker_pid: number; what: string }>(
    "select attempt, worker_pid, what from events where job_id = $1 order by id",
    [jobId],
  );

test("kill -9 mid-job: the job is recovered by another worker's sweep and completed; the late complete is fenced", { timeout: 60_000 }, async () => {
  const env = { JOBDECK_LEASE_SECONDS: "2", JOBDECK_HEARTBEAT_SECONDS: "1" };
  const a = await spawnWorker({ databaseUrl: t.url, handlers: fixture("queue-control.mjs"), concurrency: 2, env });
  procs.push(a);
  // The first attempt blocks; any later attempt completes at once.
  const jobId = await enqueue(t.db, { kind: "crashy", payload: { blockOnAttempts: [1] }, maxAttempts: 3 });
  const held = await waitFor("worker A to be running the job", async () => {
    const row = await jobRow(t.db, jobId);
    const ev = await events(jobId);
    return row.state === "running" && row.locked_by === a.id && ev.some((e) => e.what === "started") ? row : null;
  });
  const firstAttemptId = held.attempt_id!;
  // Let A heartbeat at least once, so the lease it leaves behind is a live, extended one.
  await waitFor("a heartbeat from A", async () => (await jobRow(t.db, jobId)).heartbeat_at! > held.heartbeat_at!, 10_000);

  a.child.kill("SIGKILL");
  expect(await a.exited).toEqual({ code: null, signal: "SIGKILL" });
  const crashedAt = Date.now();
  const afterCrash = await jobRow(t.db, jobId);
  expect(afterCrash).toMatchObject({ state: "running", locked_by: a.id, attempt_id: firstAttemptId });
  // A is gone without saying goodbye.
  const [aRow] = await t.db.query<{ stopped_at: Date | null }>("select stopped_at from workers where id = $1", [a.id]);
  expect(aRow.stopped_at).toBeNull();

  const b = await spawnWorker({ databaseUrl: t.url, handlers: fixture("queue-control.mjs"), concurrency: 2, env });
  procs.push(b);
  const done = await waitFor(
    "worker B to complete the job",
    async () => {
      const row = await jobRow(t.db, jobId);
      return row.state === "completed" ? row : null;
    },
    30_000,
    100,
  );
  // Not before the lease ran out.
  expect(done.finished_at!.getTime()).toBeGreaterThanOrEqual(afterCrash.locked_until!.getTime());
  expect(Date.now() - crashedAt).toBeLessThan(30_000);
  expect(done).toMatchObject({ attempts: 2, locked_by: null, result: { attempt: 2, pid: b.pid } });
  // Recovered by B's sweep of its dead peer.
  await waitFor("B's recovery log line", async () => new RegExp(`recovered 1 stale job\\(s\\) from dead peers: ${jobId}\\b`).test(b.stderr()), 5_000);

  const history = await attemptRows(t.db, jobId);
  expect(history.map((h) => ({ id: h.id, attempt: h.attempt, worker: h.worker_id, outcome: h.outcome }))).toEqual([
    { id: firstAttemptId, attempt: 1, worker: a.id, outcome: "lost" },
    { id: done.attempt_id, attempt: 2, worker: b.id, outcome: "completed" },
  ]);
  expect(a.id).not.toBe(b.id);
  expect(history[0].finished_at!.getTime()).toBeLessThanOrEqual(history[1].started_at.getTime());
  // What the handlers saw: attempt 1 started on A and never finished; attempt 2 ran on B.
  expect(await events(jobId)).toEqual([
    { attempt: 1, worker_pid: a.pid, what: "started" },
    { attempt: 2, worker_pid: b.pid, what: "started" },
    { attempt: 2, worker_pid: b.pid, what: "finished" },
  ]);

  // The crashed attempt's late completion is rejected and changes nothing.
  const before = { job: await jobRow(t.db, jobId), history: await attemptRows(t.db, jobId) };
  const err = await complete(t.db, { jobId, attemptId: firstAttemptId, result: { late: true } }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueueError);
  expect((err as QueueError).code).toBe("lost_lease");
  expect({ job: await jobRow(t.db, jobId), history: await attemptRows(t.db, jobId) }).toEqual(before);

  expect(await stopWorker(b)).toEqual({ code: 0, signal: null });
  const [bRow] = await t.db.query<{ stopped_at: Date | null; processed: number }>("select stopped_at, processed from workers where id = $1", [b.id]);
  expect(bRow.stopped_at).not.toBeNull();
  expect(bRow.processed).toBe(1);
});
