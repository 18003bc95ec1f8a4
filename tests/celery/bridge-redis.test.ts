// The Celery bridge against a real Redis and a real Celery worker (Debian's celery 5, events on):
// tasks that succeed, fail, retry and sleep are recorded with Celery's state words and fields;
// the worker with its freq and counters; a replayed event changes nothing; a bridge restart loses
// no history and records the gap; a Redis restart is reconnected by itself and recorded as one
// gap; two bridges on one source write once; a SIGKILLed worker is OFFLINE by Celery's rule with
// its task still STARTED on it.
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CeleryBridge, startCeleryBridge } from "../../lib/celery/bridge";
import type { CelerySourceConfig } from "../../lib/sources/config";
import { type CeleryWorker, type RedisServer, sendTasks, startCeleryWorker, startRedis, waitFor } from "../helpers/celery";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let redis: RedisServer;
let worker: CeleryWorker;
let broker: string;
let config: CelerySourceConfig;
let bridge: CeleryBridge;
const quiet = process.env.JOBDECK_TEST_LOG ? (l: string) => console.log(`[bridge] ${l}`) : () => {};

/** Events received by the bridges stopped so far: celery_bridges.events_total must be exactly this (each event counted once). */
let receivedByStopped = 0;
const stopBridge = async (b: CeleryBridge) => {
  await b.stop();
  receivedByStopped += b.stats().received;
};
const eventsTotal = async () => (await t.db.query<{ events_total: number }>("select events_total from celery_bridges where source = 'tasks'"))[0].events_total;
const start = (holder = "test-a") => startCeleryBridge({ config, db: t.db, databaseUrl: t.url, holder, log: quiet, retryLeadMs: 200 });
type Row = Record<string, unknown>;
const task = async (id: string) => (await t.db.query<Row>("select * from celery_tasks where source = 'tasks' and task_id = $1", [id]))[0];
const stateOf = async (id: string) => ((await task(id))?.state as string | undefined) ?? null;
const finished = (ids: string[]) => waitFor(async () => (await Promise.all(ids.map(stateOf))).every((s) => s === "SUCCESS" || s === "FAILURE"), `tasks ${ids.join(", ")} finished`, 60_000);
const gaps = () => t.db.query<Row>("select * from celery_event_gaps where source = 'tasks' order by id");

beforeAll(async () => {
  t = await createTestDatabase("celery_bridge_redis");
  redis = await startRedis();
  broker = redis.url(1);
  config = { name: "tasks", kind: "celery", broker, resultBackend: null, readOnly: false };
  bridge = start();
  await waitFor(async () => (await t.db.query("select 1 from celery_bridges where source = 'tasks' and connected")).length === 1, "bridge connected");
  // prefork, not threads: with the threads pool Celery 5.2 can lose buffered task events (the
  // dispatcher's task.multi buffer is appended to by task threads without its lock while flushed).
  worker = await startCeleryWorker({ broker, name: `ingest${process.pid}`, heartbeat: 1, concurrency: 3, pool: "prefork" });
}, 120_000);

afterAll(async () => {
  await bridge?.stop();
  await worker?.kill();
  await redis?.dispose();
  await t?.drop();
});

test("tasks that succeed, fail, retry and sleep: states, names, reprs, results, exceptions, runtime, retries, worker", async () => {
  const [add, fail, flaky, sleep] = sendTasks(broker, [
    { name: "fixture.add", args: [2, 3] },
    { name: "fixture.fail", args: ["kaput"] },
    { name: "fixture.flaky", args: ["k1"] },
    { name: "fixture.sleep", args: [0.3], kwargs: {} },
  ]);
  await finished([add, fail, flaky, sleep]);
  expect(await task(add)).toMatchObject({ name: "fixture.add", state: "SUCCESS", args: "[2, 3]", kwargs: "{}", args_json: [2, 3], kwargs_json: {}, result: "5", worker: worker.hostname, queue: "celery", retries: 0, root_id: add, exception: null });
  const a = await task(add);
  expect(a.runtime).toEqual(expect.any(Number));
  for (const k of ["received_at", "started_at", "finished_at", "state_at"]) expect(a[k], k).toBeInstanceOf(Date);
  expect((a.finished_at as Date).getTime()).toBeGreaterThanOrEqual((a.started_at as Date).getTime());

  const f = await task(fail);
  expect(f).toMatchObject({ name: "fixture.fail", state: "FAILURE", args: "['kaput']", args_json: ["kaput"], worker: worker.hostname, result: null });
  // Celery's repr of the exception (on Python 3.11 billiard may wrap it: ExceptionWithTraceback()); the traceback names it.
  expect(f.exception).toMatch(/ValueError\('kaput'\)|ExceptionWithTraceback/);
  expect(f.traceback).toMatch(/Traceback \(most recent call last\)[\s\S]*ValueError: kaput/);

  const r = await task(flaky);
  expect(r).toMatchObject({ name: "fixture.flaky", state: "SUCCESS", retries: 2, result: "'ok k1'", worker: worker.hostname });
  expect(r.exception).toMatch(/flaky k1 attempt 1/); // the last retry's reason stays visible
  const types = (await t.db.query<{ type: string }>("select type from celery_task_events where source = 'tasks' and task_id = $1", [flaky])).map((e) => e.type);
  expect(types.filter((x) => x === "task-retried")).toHaveLength(2);
  expect(types).toEqual(expect.arrayContaining(["task-sent", "task-received", "task-started", "task-succeeded"]));

  const s = await task(sleep);
  expect(s).toMatchObject({ name: "fixture.sleep", state: "SUCCESS", args: "[0.3]", args_json: [0.3], result: "0.3" });
  expect(s.runtime as number).toBeGreaterThanOrEqual(0.25);
});

test("the worker: freq, counters, software, heartbeats", async () => {
  await waitFor(async () => ((await t.db.query<Row>("select processed from celery_workers where hostname = $1", [worker.hostname]))[0]?.processed as number) >= 4, "processed counted");
  const [w] = await t.db.query<Row>("select * from celery_workers where source = 'tasks' and hostname = $1", [worker.hostname]);
  expect(w).toMatchObject({ freq: 1, sw_ident: "py-celery", sw_sys: "Linux", offline_at: null, active: expect.any(Number), pid: worker.process.pid });
  expect(w.sw_ver).toMatch(/^5\./);
  expect(w.loadavg).toHaveLength(3);
  expect(w.last_heartbeat_at).toBeInstanceOf(Date);
  expect(w.online_at).toBeInstanceOf(Date);
});

test("the worker's pool, asked with Celery's stats by the leader (heartbeats do not carry it)", async () => {
  await waitFor(async () => ((await t.db.query<Row>("select pool from celery_workers where hostname = $1", [worker.hostname]))[0]?.pool as string | null) != null, "the pool recorded");
  const [w] = await t.db.query<Row>("select pool, concurrency from celery_workers where source = 'tasks' and hostname = $1", [worker.hostname]);
  expect(w).toEqual({ pool: "prefork", concurrency: 3 });
});

test("the same event message delivered twice: one task row and one event row, unchanged", async () => {
  const spy = new Redis(redis.url(1));
  const captured: { channel: string; message: Buffer }[] = [];
  spy.on("pmessageBuffer", (_p: Buffer, channel: Buffer, message: Buffer) => captured.push({ channel: channel.toString(), message }));
  await spy.psubscribe("/1.celeryev/task.*");
  const [id] = sendTasks(broker, [{ name: "fixture.add", args: [40, 2] }]);
  await finished([id]);
  await waitFor(() => captured.some((c) => c.channel.endsWith("task.multi") && c.message.toString().length > 0) && captured.some((c) => c.channel.endsWith("task.sent")), "messages captured");
  spy.disconnect();
  const before = { task: await task(id), events: await t.db.query("select * from celery_task_events where task_id = $1 order by type", [id]) };
  const pub = new Redis(redis.url(1));
  const bodyOf = (m: Buffer) => Buffer.from(JSON.parse(m.toString()).body, "base64").toString();
  const replays = captured.filter((m) => bodyOf(m.message).includes(id));
  expect(replays.map((r) => r.channel)).toEqual(expect.arrayContaining(["/1.celeryev/task.sent", "/1.celeryev/task.multi"]));
  for (const c of replays) {
    await pub.publish(c.channel, c.message);
    await pub.publish(c.channel, c.message);
  }
  pub.disconnect();
  // A later task's events come after the replays on the same connection: once it is in, they were read.
  const [marker] = sendTasks(broker, [{ name: "fixture.add", args: [0, 0] }]);
  await finished([marker]);
  expect(await task(id)).toEqual(before.task);
  expect(await t.db.query("select * from celery_task_events where task_id = $1 order by type", [id])).toEqual(before.events);
  expect(await t.db.query("select 1 from celery_tasks where task_id = $1", [id])).toHaveLength(1);
});

test("a bridge restart loses no history and records the gap", async () => {
  const [{ n: tasksBefore }] = await t.db.query<{ n: number }>("select count(*)::int as n from celery_tasks");
  const [{ n: eventsBefore }] = await t.db.query<{ n: number }>("select count(*)::int as n from celery_task_events");
  await stopBridge(bridge);
  expect(await eventsTotal()).toBe(receivedByStopped);
  const [stoppedRow] = await t.db.query<Row>("select * from celery_bridges where source = 'tasks'");
  expect(stoppedRow).toMatchObject({ connected: false, holder: "test-a" });
  bridge = start();
  await waitFor(async () => (await gaps()).some((g) => g.reason === "no bridge was running" && g.until_at !== null), "restart gap closed");
  const g = (await gaps()).find((x) => x.reason === "no bridge was running")!;
  expect((g.from_at as Date).getTime()).toBe((stoppedRow.updated_at as Date).getTime());
  expect((g.until_at as Date).getTime()).toBeGreaterThanOrEqual((g.from_at as Date).getTime());
  const [{ n: tasksAfter }] = await t.db.query<{ n: number }>("select count(*)::int as n from celery_tasks");
  const [{ n: eventsAfter }] = await t.db.query<{ n: number }>("select count(*)::int as n from celery_task_events");
  expect(tasksAfter).toBeGreaterThanOrEqual(tasksBefore);
  expect(eventsAfter).toBeGreaterThanOrEqual(eventsBefore);
  const [id] = sendTasks(broker, [{ name: "fixture.add", args: [1, 1] }]);
  await finished([id]);
  expect(await task(id)).toMatchObject({ state: "SUCCESS", result: "2" });
});

test("Redis stopped and started again: the bridge reconnects by itself, one gap with from and until, events flow after", async () => {
  const lostBefore = (await gaps()).filter((g) => String(g.reason).startsWith("broker connection lost")).length;
  await redis.stop();
  await waitFor(async () => (await gaps()).some((g) => String(g.reason).startsWith("broker connection lost") && g.until_at === null), "gap opened");
  await waitFor(async () => (await t.db.query("select 1 from celery_bridges where source = 'tasks' and not connected and last_error like 'broker%'")).length === 1, "bridge shown disconnected");
  await redis.start();
  await waitFor(async () => (await t.db.query("select 1 from celery_bridges where source = 'tasks' and connected")).length === 1, "bridge reconnected", 60_000);
  const lost = (await gaps()).filter((g) => String(g.reason).startsWith("broker connection lost"));
  expect(lost).toHaveLength(lostBefore + 1);
  const gap = lost.at(-1)!;
  expect(gap.until_at).toBeInstanceOf(Date);
  expect((gap.until_at as Date).getTime()).toBeGreaterThanOrEqual((gap.from_at as Date).getTime());
  expect(gap.reason).toMatch(/^broker connection lost(: \S+)?$/);
  // Celery's worker reconnects by itself too; a task sent now is recorded through the new subscription.
  let id = "";
  await waitFor(async () => {
    try {
      [id] = sendTasks(broker, [{ name: "fixture.add", args: [7, 8] }]);
      return true;
    } catch {
      return false;
    }
  }, "sending after the restart");
  await finished([id]);
  expect(await task(id)).toMatchObject({ state: "SUCCESS", result: "15" });
});

test("two bridges for one source: only the leader ingests; the other takes over when it stops", async () => {
  const second = start("test-b");
  try {
    const ids = sendTasks(broker, [{ name: "fixture.add", args: [3, 4] }, { name: "fixture.add", args: [5, 6] }]);
    await finished(ids);
    expect(second.stats()).toMatchObject({ leader: false, received: 0, written: 0 });
    expect(bridge.stats().leader).toBe(true);
    for (const id of ids) expect(await t.db.query("select 1 from celery_task_events where task_id = $1 and type = 'task-succeeded'", [id])).toHaveLength(1);

    await stopBridge(bridge);
    expect(await eventsTotal()).toBe(receivedByStopped);
    await waitFor(async () => (await t.db.query("select 1 from celery_bridges where source = 'tasks' and connected and holder = 'test-b'")).length === 1, "the other bridge leads");
    const [id] = sendTasks(broker, [{ name: "fixture.add", args: [9, 9] }]);
    await finished([id]);
    expect(second.stats().received).toBeGreaterThan(0);
  } finally {
    await stopBridge(second);
    expect(await eventsTotal()).toBe(receivedByStopped);
    bridge = start();
    await waitFor(async () => (await t.db.query("select 1 from celery_bridges where source = 'tasks' and connected and holder = 'test-a'")).length === 1, "bridge back");
  }
});

test("a worker killed with SIGKILL: OFFLINE within 2 × freq by Celery's rule, its in-flight task still STARTED on it", async () => {
  const [slow] = sendTasks(broker, [{ name: "fixture.sleep", args: [60] }]);
  await waitFor(async () => (await stateOf(slow)) === "STARTED", "sleep task started");
  await worker.kill();
  const offline = async () =>
    (await t.db.query<{ offline: boolean }>("select last_heartbeat_at + make_interval(secs => 2 * freq) < now() as offline from celery_workers where hostname = $1", [worker.hostname]))[0]?.offline;
  await waitFor(async () => (await offline()) === true, "worker offline by the heartbeat rule", 20_000);
  const [w] = await t.db.query<Row>("select offline_at from celery_workers where hostname = $1", [worker.hostname]);
  expect(w.offline_at).toBeNull(); // no worker-offline event: it died
  expect(await task(slow)).toMatchObject({ state: "STARTED", worker: worker.hostname, name: "fixture.sleep", finished_at: null });
});
