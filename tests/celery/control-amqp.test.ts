// The same remote control over RabbitMQ (amqplib): the pidbox broadcast goes to the
// `celery.pidbox` fanout exchange and the worker's reply comes back through
// `reply.celery.pidbox` to a queue of ours; a re-sent task is published to its queue through the
// default exchange. A real Celery worker on a RabbitMQ of our own answers a rate limit, has a
// running task terminated, and runs an exactly re-sent task.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ping, withBroker } from "../../lib/celery/control";
import { createCelerySource } from "../../lib/sources/celery";
import { setCeleryRateLimit, terminateCeleryTask } from "../../lib/sources/celery/operations";
import type { CelerySourceConfig } from "../../lib/sources/config";
import type { Source } from "../../lib/sources/types";
import { type CeleryWorker, type RabbitMQServer, sendTasks, startCeleryWorker, startRabbitMQ, waitFor } from "../helpers/celery";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { inspectWorker } from "./inspect";
import { ctx, insertTask, insertWorker } from "./source-fixture";

let t: TestDatabase;
let rabbit: RabbitMQServer;
let worker: CeleryWorker;
let source: Source;
let config: CelerySourceConfig;
const S = "rabbit";
const op = () => ({ control: t.db, actor: { name: "ops@example.com" }, reason: null, auditPrefix: "celery" });

beforeAll(async () => {
  t = await createTestDatabase("celery_amqp");
  rabbit = await startRabbitMQ();
  worker = await startCeleryWorker({ broker: rabbit.url, name: `amqp${process.pid}`, pool: "prefork", concurrency: 2 });
  config = { name: S, kind: "celery", broker: rabbit.url, resultBackend: null, readOnly: false };
  source = await createCelerySource(config, t.db);
  await insertWorker(t.db, S, { hostname: worker.hostname, heartbeatAgo: 0 });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await rabbit?.dispose();
  await t?.drop();
});

describe("remote control over RabbitMQ", () => {
  it("ping and rate_limit get the worker's reply; the location names host, port and vhost only", async () => {
    expect((await withBroker(rabbit.url, (b) => ping(b, { destination: [worker.hostname] }))).replies).toEqual([{ worker: worker.hostname, ok: "pong", error: null }]);
    const r = await setCeleryRateLimit(config, op(), worker.hostname, "fixture.add", "5/s");
    expect(r).toMatchObject({ acknowledged: true, message: `worker ${worker.hostname} acknowledged: new rate limit set successfully` });
    expect((await source.info()).location).toBe(`amqp 127.0.0.1:${rabbit.port} vhost /`);
    expect((await source.health()).error).toBe("no Celery bridge has listened to this broker yet");
  });

  it("terminates a running task: the worker no longer runs it", async () => {
    const [id] = sendTasks(rabbit.url, [{ name: "fixture.sleep", args: [60] }]);
    await waitFor(() => JSON.stringify(inspectWorker(rabbit.url, worker.hostname, "active")).includes(id), "the worker to run the task");
    await insertTask(t.db, S, { id, name: "fixture.sleep", state: "STARTED", worker: worker.hostname, startedAgo: 0 });
    const r = await terminateCeleryTask(config, op(), id, "SIGTERM");
    expect(r).toMatchObject({ acknowledged: true, message: `worker ${worker.hostname} acknowledged: terminate: ${id}` });
    await waitFor(() => !JSON.stringify(inspectWorker(rabbit.url, worker.hostname, "active")).includes(id), "the task to leave the worker");
    expect(worker.output()).toContain(`Terminating ${id} (15)`);
  });

  it("re-sends a failed task exactly: the worker runs the new task with the same arguments", async () => {
    const old = await insertTask(t.db, S, { state: "FAILURE", args: "[40]", kwargs: "{'y': 2}", argsJson: [40], kwargsJson: { y: 2 }, finishedAgo: 2 });
    const r = await source.apply({ action: "retry", target: { keys: [old] } }, ctx(t.db));
    expect(r).toMatchObject({ affected: 1, keys: [old] });
    const [{ task_id: newId }] = await t.db.query<{ task_id: string }>("select task_id from celery_tasks where source = $1 and retry_of = $2", [S, old]);
    await waitFor(() => worker.output().includes(`Task fixture.add[${newId}] succeeded`), "the re-sent task to succeed");
    expect(worker.output()).toMatch(new RegExp(`Task fixture\\.add\\[${newId}\\] succeeded in [0-9.]+s: 42`));
  });
});
