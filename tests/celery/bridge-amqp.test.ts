// The Celery bridge on RabbitMQ: a private rabbitmq-server node of our own, a real Celery worker
// with events on; the bridge binds its exclusive queue to the celeryev topic exchange with `#`
// and records tasks and the worker like on Redis; a broker restart is reconnected with backoff
// and recorded as one gap.
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CeleryBridge, startCeleryBridge } from "../../lib/celery/bridge";
import { type CeleryWorker, type RabbitMQServer, sendTasks, startCeleryWorker, startRabbitMQ, waitFor } from "../helpers/celery";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let rabbit: RabbitMQServer;
let worker: CeleryWorker;
let bridge: CeleryBridge;
type Row = Record<string, unknown>;
const task = async (id: string) => (await t.db.query<Row>("select * from celery_tasks where source = 'amqp' and task_id = $1", [id]))[0];
const finished = (ids: string[]) =>
  waitFor(async () => (await Promise.all(ids.map(task))).every((r) => r?.state === "SUCCESS" || r?.state === "FAILURE"), `tasks ${ids.join(", ")} finished`, 60_000);
const connected = () => t.db.query("select 1 from celery_bridges where source = 'amqp' and connected");

beforeAll(async () => {
  t = await createTestDatabase("celery_bridge_amqp");
  rabbit = await startRabbitMQ();
  bridge = startCeleryBridge({ config: { name: "amqp", kind: "celery", broker: rabbit.url, resultBackend: null, readOnly: false }, db: t.db, databaseUrl: t.url, log: () => {} });
  await waitFor(async () => (await connected()).length === 1, "bridge connected", 60_000);
  worker = await startCeleryWorker({ broker: rabbit.url, name: `amqp${process.pid}`, heartbeat: 1, pool: "prefork", concurrency: 2 });
}, 180_000);

afterAll(async () => {
  await bridge?.stop();
  await worker?.kill();
  await rabbit?.dispose();
  await t?.drop();
}, 120_000);

test("tasks and the worker are recorded from the celeryev exchange", async () => {
  const [add, fail, flaky] = sendTasks(rabbit.url, [
    { name: "fixture.add", args: [4, 5] },
    { name: "fixture.fail", args: ["amqp"] },
    { name: "fixture.flaky", args: ["q"] },
  ]);
  await finished([add, fail, flaky]);
  expect(await task(add)).toMatchObject({ name: "fixture.add", state: "SUCCESS", result: "9", args: "[4, 5]", args_json: [4, 5], worker: worker.hostname, queue: "celery" });
  const f = await task(fail);
  expect(f).toMatchObject({ state: "FAILURE", worker: worker.hostname });
  expect(f.traceback).toMatch(/ValueError: amqp/);
  expect(await task(flaky)).toMatchObject({ state: "SUCCESS", retries: 2, result: "'ok q'" });
  await waitFor(async () => (await t.db.query("select 1 from celery_workers where source = 'amqp' and hostname = $1 and freq = 1 and processed >= 3", [worker.hostname])).length === 1, "worker recorded");
});

test("RabbitMQ restarted: the bridge reconnects with backoff, records one gap, and keeps ingesting", async () => {
  await rabbit.stop();
  await waitFor(async () => (await t.db.query("select 1 from celery_event_gaps where source = 'amqp' and until_at is null and reason like 'broker connection lost%'")).length === 1, "gap opened", 60_000);
  await rabbit.start();
  await waitFor(async () => (await connected()).length === 1, "bridge reconnected", 120_000);
  const gaps = await t.db.query<Row>("select * from celery_event_gaps where source = 'amqp' and reason like 'broker connection lost%'");
  expect(gaps).toHaveLength(1);
  expect(gaps[0].until_at).toBeInstanceOf(Date);
  let id = "";
  await waitFor(async () => {
    try {
      [id] = sendTasks(rabbit.url, [{ name: "fixture.add", args: [1, 2] }]);
      return true;
    } catch {
      return false;
    }
  }, "sending after the restart", 60_000);
  await finished([id]);
  expect(await task(id)).toMatchObject({ state: "SUCCESS", result: "3" });
}, 240_000);
