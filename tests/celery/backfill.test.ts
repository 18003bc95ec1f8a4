// Backfill from Celery's database result backend (SQLAlchemy's celery_taskmeta, result_extended):
// tasks that finished while no bridge listened get their rows, with their real args/kwargs
// (JSON), state, finish time, worker and traceback, once a bridge with resultBackend starts.
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CeleryBridge, startCeleryBridge } from "../../lib/celery/bridge";
import { type CeleryWorker, type RedisServer, sendTasks, startCeleryWorker, startRedis, waitFor } from "../helpers/celery";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let backend: TestDatabase;
let redis: RedisServer;
let worker: CeleryWorker;
let bridge: CeleryBridge | undefined;
let celeryBackend: string;

beforeAll(async () => {
  t = await createTestDatabase("celery_backfill");
  backend = await createTestDatabase("celery_result_backend");
  celeryBackend = backend.url.replace(/^postgres(ql)?:/, "db+postgresql:");
  redis = await startRedis();
  worker = await startCeleryWorker({ broker: redis.url(3), backend: celeryBackend, name: `backfill${process.pid}`, pool: "prefork", concurrency: 2 });
}, 120_000);

afterAll(async () => {
  await bridge?.stop();
  await worker?.kill();
  await redis?.dispose();
  await t?.drop();
  await backend?.drop();
});

test("finished tasks nobody listened to are filled in from celery_taskmeta, with their real arguments", async () => {
  const [add, fail, kw] = sendTasks(
    redis.url(3),
    [
      { name: "fixture.add", args: [2, 40] },
      { name: "fixture.fail", args: ["from the backend"] },
      { name: "fixture.sleep", kwargs: { seconds: 0.1 } },
    ],
    celeryBackend,
  );
  await waitFor(async () => {
    try {
      return (await backend.db.query("select 1 from celery_taskmeta where status in ('SUCCESS', 'FAILURE')")).length === 3;
    } catch {
      return false; // Celery creates the table with the first result
    }
  }, "results stored by Celery", 60_000);
  expect(await t.db.query("select 1 from celery_tasks")).toHaveLength(0); // no bridge ran: no events

  bridge = startCeleryBridge({
    config: { name: "tasks", kind: "celery", broker: redis.url(3), resultBackend: backend.url, readOnly: false },
    db: t.db,
    databaseUrl: t.url,
    log: () => {},
  });
  const row = async (id: string) => (await t.db.query<Record<string, unknown>>("select * from celery_tasks where source = 'tasks' and task_id = $1", [id]))[0];
  await waitFor(async () => (await Promise.all([add, fail, kw].map(row))).every(Boolean), "backfilled", 30_000);
  expect(await row(add)).toMatchObject({ name: "fixture.add", state: "SUCCESS", args_json: [2, 40], kwargs_json: {}, worker: worker.hostname, queue: "celery", retries: 0 });
  const a = await row(add);
  expect(a.finished_at).toBeInstanceOf(Date);
  expect((a.finished_at as Date).getTime()).toBe((a.state_at as Date).getTime());
  const f = await row(fail);
  expect(f).toMatchObject({ name: "fixture.fail", state: "FAILURE", args_json: ["from the backend"] });
  expect(f.traceback).toMatch(/ValueError: from the backend/);
  expect(await row(kw)).toMatchObject({ name: "fixture.sleep", state: "SUCCESS", args_json: [], kwargs_json: { seconds: 0.1 } });
});
