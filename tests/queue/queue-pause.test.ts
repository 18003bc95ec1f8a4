// Pause and resume with real worker processes (issue 15): jobs enqueued to a paused queue stay
// pending while other queues drain — for a worker that claims from every queue and one that
// names the queues — a job running when the pause commits finishes, resume lets the rest
// complete, and each change is audited with its reason in the same transaction.
import { afterAll, beforeAll, expect, test } from "vitest";
import { enqueueMany } from "../../lib/queue";
import { listQueues, pauseQueue, pausedQueues, resumeQueue } from "../../lib/queue/queue-controls";
import { QueueError } from "../../lib/queue/state-machine";
import { fixture, killQuietly, sleep, spawnWorker, stopWorker, waitFor, type WorkerProcess } from "../fixtures/queue-helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  t = await createTestDatabase("queue_pause");
  await t.db.query("create table executions (id bigserial primary key, job_id bigint, attempt int, worker_pid int, started_at timestamptz, finished_at timestamptz)");
});
afterAll(async () => {
  workers.forEach(killQuietly);
  await t?.drop();
});

const actor = { name: "ops@example.com", roles: ["operator"] };
const states = async (queue: string) =>
  Object.fromEntries((await t.db.query<{ state: string; n: number }>("select state, count(*)::int as n from jobs where queue = $1 group by state", [queue])).map((r) => [r.state, r.n]));

test("a paused queue's jobs wait while other queues drain; a running job finishes; resume completes them", async () => {
  const paused = await pauseQueue(t.db, { queue: "mail", actor, reason: "  SMTP provider down  " });
  expect(paused).toMatchObject({ changed: true, control: { queue: "mail", paused: true, paused_by: "ops@example.com", pause_reason: "SMTP provider down" } });
  // Pausing again changes nothing, and says so.
  expect((await pauseQueue(t.db, { queue: "mail", actor })).changed).toBe(false);

  // A job of another queue that is still running when that queue is paused.
  const [slow] = await enqueueMany(t.db, [{ kind: "record", queue: "media", payload: { sleepMs: 1500 } }]);
  const any = await spawnWorker({ databaseUrl: t.url, handlers: fixture("queue-record.mjs"), concurrency: 4 });
  const named = await spawnWorker({ databaseUrl: t.url, handlers: fixture("queue-record.mjs"), concurrency: 4, queues: ["mail", "media", "reports"] });
  workers.push(any, named);
  await waitFor("the slow job to start", async () => (await t.db.query("select 1 from executions where job_id = $1", [slow])).length > 0);
  await pauseQueue(t.db, { queue: "media", actor, reason: "bad deploy" });
  await enqueueMany(t.db, [
    ...Array.from({ length: 30 }, (_, n) => ({ kind: "record", queue: "mail", payload: { n } })),
    ...Array.from({ length: 10 }, (_, n) => ({ kind: "record", queue: "media", payload: { n } })),
    ...Array.from({ length: 40 }, (_, n) => ({ kind: "record", queue: "reports", payload: { n } })),
    ...Array.from({ length: 20 }, (_, n) => ({ kind: "record", queue: "default", payload: { n } })),
  ]);
  await waitFor("reports and default to drain", async () => (await states("reports")).completed === 40 && (await states("default")).completed === 20);
  await waitFor("the running job of the paused queue to finish", async () => (await states("media")).completed === 1);
  await sleep(1000); // a few more poll rounds of both workers
  expect(await states("mail")).toEqual({ pending: 30 });
  expect(await states("media")).toEqual({ pending: 10, completed: 1 });
  expect((await pausedQueues(t.db)).map((p) => p.queue)).toEqual(["mail", "media"]);
  const list = await listQueues(t.db);
  expect(list.find((q) => q.queue === "mail")).toMatchObject({ paused: true, counts: { pending: 30, running: 0 } });
  expect(list.find((q) => q.queue === "reports")).toMatchObject({ paused: false, counts: { completed: 40 } });

  expect((await resumeQueue(t.db, { queue: "mail", actor, reason: "provider back" })).changed).toBe(true);
  await waitFor("mail to drain after resume", async () => (await states("mail")).completed === 30);
  expect(await states("media")).toEqual({ pending: 10, completed: 1 });
  await resumeQueue(t.db, { queue: "media", actor });
  await waitFor("media to drain after resume", async () => (await states("media")).completed === 11);
  const [dupes] = await t.db.query<{ n: number }>("select count(*)::int as n from (select job_id from executions group by job_id having count(*) > 1) d");
  expect(dupes.n).toBe(0);
  for (const w of workers) expect((await stopWorker(w)).code).toBe(0);

  const audit = await t.db.query<{ action: string; affected: number; reason: string | null; actor: string; details: { queue: string; changed: boolean } }>(
    "select action, affected, reason, actor, details from audit_events where action like 'queue.%' order by id",
  );
  expect(audit.map((a) => [a.action, a.details.queue, a.affected, a.reason])).toEqual([
    ["queue.pause", "mail", 1, "SMTP provider down"],
    ["queue.pause", "mail", 0, null],
    ["queue.pause", "media", 1, "bad deploy"],
    ["queue.resume", "mail", 1, "provider back"],
    ["queue.resume", "media", 1, null],
  ]);
  expect(audit.every((a) => a.actor === "ops@example.com")).toBe(true);
}, 90_000);

test("bad names and reasons are refused before anything changes", async () => {
  const before = await t.db.query("select count(*)::int as n from audit_events");
  for (const queue of ["", "x".repeat(201), "bad\nname"]) {
    await expect(pauseQueue(t.db, { queue, actor })).rejects.toBeInstanceOf(QueueError);
  }
  await expect(pauseQueue(t.db, { queue: "ok", actor, reason: "r".repeat(501) })).rejects.toThrow(/at most 500/);
  expect(await t.db.query("select count(*)::int as n from audit_events")).toEqual(before);
  expect(await t.db.query("select * from queue_controls where queue = 'ok'")).toEqual([]);
});
