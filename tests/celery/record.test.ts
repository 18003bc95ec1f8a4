// The merge rules of recordEvents on a real database, with events shaped as a Celery 5 worker
// sends them (captured from one): any order and any split into batches give the same rows, a
// replayed event changes nothing, a finished state is never replaced by a late STARTED.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { CeleryEvent } from "../../lib/celery/events";
import { recordEvents } from "../../lib/celery/record";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("celery_record");
});
afterAll(async () => t?.drop());

const T0 = 1_796_215_970.8195012;
const ev = (type: string, dt: number, fields: Record<string, unknown> = {}): CeleryEvent => ({
  type, timestamp: Number((T0 + dt).toFixed(7)), hostname: type === "task-sent" ? "gen1@client" : "w1@host", utcoffset: 0, pid: 7, clock: Math.round(dt * 100), ...fields,
});
const lifecycle = (uuid: string): CeleryEvent[] => [
  ev("task-sent", 0, { uuid, name: "fixture.add", args: "[1, 2]", kwargs: "{}", retries: 0, eta: null, expires: null, queue: "celery", routing_key: "celery", root_id: uuid, parent_id: null }),
  ev("task-received", 0.01, { uuid, name: "fixture.add", args: "[1, 2]", kwargs: "{}", retries: 0, eta: null, expires: null, root_id: uuid, parent_id: null }),
  ev("task-started", 0.02, { uuid }),
  ev("task-succeeded", 0.03, { uuid, result: "3", runtime: 0.0012 }),
];
const task = async (uuid: string) => (await t.db.query<Record<string, unknown>>("select * from celery_tasks where source = 's' and task_id = $1", [uuid]))[0];

test("a lifecycle in order, reversed, and split into batches ends in the same row", async () => {
  await recordEvents(t.db, "s", lifecycle("a"));
  await recordEvents(t.db, "s", lifecycle("b").reverse());
  for (const e of lifecycle("c").reverse()) await recordEvents(t.db, "s", [e]);
  const rows = await Promise.all(["a", "b", "c"].map(task));
  for (const r of rows) {
    expect(r).toMatchObject({ name: "fixture.add", state: "SUCCESS", args: "[1, 2]", kwargs: "{}", args_json: [1, 2], kwargs_json: {}, result: "3", worker: "w1@host", queue: "celery", retries: 0, runtime: expect.closeTo(0.0012, 6) });
    expect((r.finished_at as Date).getTime()).toBe((r.state_at as Date).getTime());
    expect(r.started_at).toBeInstanceOf(Date);
    expect(r.received_at).toBeInstanceOf(Date);
  }
  const strip = ({ task_id, root_id, seq, first_seen_at, updated_at, ...rest }: Record<string, unknown>) => (void task_id, void root_id, void seq, void first_seen_at, void updated_at, rest);
  expect(strip(rows[1])).toEqual(strip(rows[0]));
  expect(strip(rows[2])).toEqual(strip(rows[0]));
  expect(await t.db.query("select type from celery_task_events where source = 's' and task_id = 'a'")).toHaveLength(4);
});

test("a replayed batch changes nothing, not even updated_at; a late STARTED does not undo SUCCESS", async () => {
  const before = await task("a");
  const r = await recordEvents(t.db, "s", lifecycle("a"));
  expect(r.newTaskEvents).toBe(0);
  expect(await task("a")).toEqual(before);
  await recordEvents(t.db, "s", [ev("task-started", 5, { uuid: "a" })]);
  expect(await task("a")).toMatchObject({ state: "SUCCESS" });
});

test("retries: RETRY then SUCCESS, retries counted, the exception of the retry kept, eta of the last retry", async () => {
  const uuid = "r";
  await recordEvents(t.db, "s", [
    ev("task-received", 0, { uuid, name: "fixture.flaky", args: "['k']", kwargs: "{}", retries: 0, eta: null }),
    ev("task-started", 0.1, { uuid }),
    ev("task-received", 0.2, { uuid, name: "fixture.flaky", args: "('k',)", kwargs: "{}", retries: 1, eta: "2026-12-02T12:52:51.031564+00:00" }),
    ev("task-retried", 0.3, { uuid, exception: "Retry(RuntimeError('flaky'))", traceback: "Traceback ..." }),
  ]);
  expect(await task(uuid)).toMatchObject({ state: "RETRY", retries: 1, exception: "Retry(RuntimeError('flaky'))", args: "['k']", args_json: ["k"] });
  await recordEvents(t.db, "s", [ev("task-started", 0.5, { uuid }), ev("task-succeeded", 0.6, { uuid, result: "'ok k'", runtime: 0.01 })]);
  const r = await task(uuid);
  expect(r).toMatchObject({ state: "SUCCESS", result: "'ok k'", retries: 1 });
  expect((r.eta as Date).toISOString()).toBe("2026-12-02T12:52:51.031Z");
});

test("workers: heartbeat fields, offline set by worker-offline and cleared by a later heartbeat, in any order", async () => {
  const w = (type: string, dt: number, processed: number): CeleryEvent => ({ type, timestamp: T0 + dt, hostname: "w9@h", freq: 1.5, active: 1, processed, loadavg: [0.1, 0.2, 0.3], sw_ident: "py-celery", sw_ver: "5.2.6", sw_sys: "Linux", pid: 42, clock: dt });
  await recordEvents(t.db, "s", [w("worker-heartbeat", 2, 5), w("worker-online", 0, 0)]);
  const row = async () => (await t.db.query<Record<string, unknown>>("select * from celery_workers where hostname = 'w9@h'"))[0];
  expect(await row()).toMatchObject({ freq: 1.5, processed: 5, active: 1, loadavg: [0.1, 0.2, 0.3], sw_ident: "py-celery", sw_ver: "5.2.6", sw_sys: "Linux", pid: 42, offline_at: null });
  await recordEvents(t.db, "s", [w("worker-offline", 3, 6)]);
  expect((await row()).offline_at).toBeInstanceOf(Date);
  await recordEvents(t.db, "s", [w("worker-heartbeat", 1, 2)]); // late and older: changes no counter
  expect(await row()).toMatchObject({ processed: 6 });
  expect((await row()).offline_at).toBeInstanceOf(Date);
  await recordEvents(t.db, "s", [w("worker-online", 10, 0)]);
  expect(await row()).toMatchObject({ processed: 0, offline_at: null });
});

test("a task-sent stamped after the worker's task-received (the client stamps it after publishing) does not make it PENDING again", async () => {
  const uuid = "p";
  await recordEvents(t.db, "s", [ev("task-received", 0.01, { uuid, name: "fixture.add", args: "[1, 2]", kwargs: "{}", retries: 0 })]);
  await recordEvents(t.db, "s", [ev("task-sent", 0.02, { uuid, name: "fixture.add", args: "[1, 2]", kwargs: "{}", retries: 0, queue: "celery" })]);
  expect(await task(uuid)).toMatchObject({ state: "RECEIVED", queue: "celery" });
  await recordEvents(t.db, "s", [ev("task-sent", 0.03, { uuid: "q", name: "fixture.add" }), ev("task-received", 0.02, { uuid: "q" })]);
  expect(await task("q")).toMatchObject({ state: "RECEIVED" });
});
