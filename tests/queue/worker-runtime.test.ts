// The worker runtime's contract, exercised on a real `jobdeck worker` process: cancellation
// aborts the handler through ctx.signal, progress reaches the jobs row on heartbeat, a worker
// never claims kinds it has no handler for, PermanentError dead-letters, ordinary errors retry, and SIGTERM
// finishes short jobs, releases long ones (attempt not counted) and marks the worker stopped.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cancelJobs, enqueue } from "../../lib/queue";
import { type Handler, createWorker } from "../../lib/worker";
import { type WorkerProcess, attemptRows, fixture, jobRow, killQuietly, sleep, spawnWorker, waitFor } from "../fixtures/queue-helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let w: WorkerProcess;
beforeAll(async () => {
  t = await createTestDatabase("queue_worker_runtime");
  await t.db.query(`create table events (id bigserial primary key, at timestamptz not null default clock_timestamp(),
    job_id bigint not null, attempt int not null, worker_pid int not null, what text not null)`);
  w = await spawnWorker({
    databaseUrl: t.url,
    handlers: fixture("queue-control.mjs"),
    concurrency: 4,
    env: { JOBDECK_LEASE_SECONDS: "2", JOBDECK_HEARTBEAT_SECONDS: "1", JOBDECK_SHUTDOWN_GRACE_SECONDS: "1" },
  });
});
afterAll(async () => {
  killQuietly(w);
  await t?.drop();
});

const events = async (jobId: number) =>
  (await t.db.query<{ what: string }>("select what from events where job_id = $1 order by id", [jobId])).map((e) => e.what);

const waitState = (jobId: number, state: string, timeoutMs = 15_000) =>
  waitFor(`job ${jobId} to be ${state}`, async () => {
    const row = await jobRow(t.db, jobId);
    return row.state === state ? row : null;
  }, timeoutMs);

const waitStarted = (jobId: number) =>
  waitFor(`job ${jobId} to start`, async () => (await events(jobId)).includes("started") && (await jobRow(t.db, jobId)).state === "running");

describe("while running", () => {
  test("cancelling a running job aborts its handler through ctx.signal; the job ends cancelled", async () => {
    const id = await enqueue(t.db, { kind: "sleep", payload: { ms: 120_000 } });
    await waitStarted(id);
    const r = await cancelJobs(t.db, [id]);
    expect(r.cancelRequested).toEqual([id]);
    const row = await waitState(id, "cancelled");
    expect(row).toMatchObject({ locked_by: null, attempts: 1 });
    expect(row.finished_at).not.toBeNull();
    expect(await events(id)).toEqual(["started", "aborted:cancelled"]);
    expect((await attemptRows(t.db, id)).map((a) => [a.worker_id, a.outcome])).toEqual([[w.id, "cancelled"]]);
  });

  test("ctx.progress reaches the jobs row with the next heartbeat", async () => {
    const id = await enqueue(t.db, { kind: "progress", payload: { fraction: 0.25, message: "a quarter done" } });
    await waitStarted(id);
    const row = await waitFor("progress on the jobs row", async () => {
      const r = await jobRow(t.db, id);
      return r.progress !== null ? r : null;
    }, 10_000);
    expect(row.progress).toBeCloseTo(0.25, 5);
    expect(row.progress_message).toBe("a quarter done");
    expect(row.state).toBe("running");
    await cancelJobs(t.db, [id]);
    await waitState(id, "cancelled");
  });

  test("a kind with no handler is left pending for a worker that has one, never claimed by this one", async () => {
    const orphan = await enqueue(t.db, { kind: "no-such-kind", maxAttempts: 5 });
    // A job this worker does handle, enqueued after the orphan, runs past it.
    const handled = await enqueue(t.db, { kind: "sleep", payload: { ms: 1 } });
    await waitState(handled, "completed");
    await sleep(1_200); // more than a heartbeat and several claim polls
    expect(await jobRow(t.db, orphan)).toMatchObject({ state: "pending", attempts: 0, locked_by: null, attempt_id: null });
    expect(await attemptRows(t.db, orphan)).toEqual([]);
  });

  test("a claimed job whose kind has no handler function is dead-lettered with a clear error (in-process safety net)", async () => {
    const id = await enqueue(t.db, { kind: "ghost", queue: "ghosts", maxAttempts: 5 });
    // The kind is registered but maps to nothing callable: the worker claims it and must not retry it forever.
    const inproc = createWorker({
      db: t.db,
      queues: ["ghosts"],
      handlers: { ghost: undefined as unknown as Handler },
      pollIntervalMs: 20,
      sweepStale: false,
      log: () => {},
    });
    await inproc.start();
    try {
      const row = await waitState(id, "dead");
      expect(row.attempts).toBe(1);
      expect(row.last_error).toContain('no handler for kind "ghost"');
      const [a] = await attemptRows(t.db, id);
      expect(a).toMatchObject({ worker_id: inproc.id, outcome: "dead" });
      expect(a.error).toContain('no handler for kind "ghost"');
    } finally {
      await inproc.stop();
    }
  });

  test("PermanentError dead-letters at once; an ordinary error is retried with backoff", async () => {
    const perm = await enqueue(t.db, { kind: "permanent", maxAttempts: 5 });
    const flaky = await enqueue(t.db, { kind: "flaky", maxAttempts: 5 });
    const dead = await waitState(perm, "dead");
    expect(dead.attempts).toBe(1);
    expect(dead.last_error).toContain("payload has no url");
    const done = await waitState(flaky, "completed", 20_000);
    expect(done).toMatchObject({ attempts: 2, result: { attempt: 2 } });
    expect(done.last_error).toContain("ECONNRESET");
    expect((await attemptRows(t.db, flaky)).map((a) => a.outcome)).toEqual(["failed", "completed"]);
  });
});

describe("graceful shutdown on SIGTERM (grace period 1 s)", () => {
  test("a short in-flight job finishes and completes; a long one is released with its attempt not counted; the worker is marked stopped", async () => {
    const short = await enqueue(t.db, { kind: "untilSigterm" });
    const long = await enqueue(t.db, { kind: "sleep", payload: { ms: 120_000 }, maxAttempts: 1 });
    await waitStarted(short);
    await waitStarted(long);

    const sentAt = Date.now();
    w.child.kill("SIGTERM");
    // Work that arrives once the worker is shutting down is not taken.
    await waitFor("the worker to log the SIGTERM", async () => /SIGTERM received/.test(w.stderr()), 5_000, 10);
    const late = await enqueue(t.db, { kind: "sleep", payload: { ms: 1 } });
    const exit = await w.exited;
    const tookMs = Date.now() - sentAt;
    expect(exit).toEqual({ code: 0, signal: null });
    // It waited for the grace period (the long job), but not for the long job itself.
    expect(tookMs).toBeGreaterThanOrEqual(900);
    expect(tookMs).toBeLessThan(15_000);

    const s = await jobRow(t.db, short);
    expect(s).toMatchObject({ state: "completed", attempts: 1, result: { finishedAfterSigterm: true } });
    expect(await events(short)).toEqual(["started", "finished"]);
    expect((await attemptRows(t.db, short)).map((a) => a.outcome)).toEqual(["completed"]);

    const l = await jobRow(t.db, long);
    // max_attempts is 1: had the interrupted attempt counted, the job could never run again.
    expect(l).toMatchObject({ state: "pending", attempts: 0, locked_by: null, locked_until: null, finished_at: null });
    expect(await events(long)).toEqual(["started", "aborted:shutdown"]);
    const la = await attemptRows(t.db, long);
    expect(la.map((a) => [a.worker_id, a.outcome])).toEqual([[w.id, "released"]]);
    expect(la[0].finished_at).not.toBeNull();

    const lateRow = await jobRow(t.db, late);
    expect(lateRow).toMatchObject({ state: "pending", attempts: 0 });
    expect(await events(late)).toEqual([]);

    const [row] = await t.db.query<{ stopped_at: Date | null; processed: number; failed: number }>(
      "select stopped_at, processed, failed from workers where id = $1",
      [w.id],
    );
    expect(row.stopped_at).not.toBeNull();
  });
});
