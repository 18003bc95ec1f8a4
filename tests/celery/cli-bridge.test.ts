// `jobdeck celery-bridge --source NAME`: the standalone bridge as a real process with
// JOBDECK_SOURCES set records a real worker's tasks, stops cleanly on SIGTERM (exit 0, marked
// disconnected); bad usage and an unknown source exit 2 with one line.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { JOBDECK, lines, REPO_ROOT, runCli } from "../fixtures/cli-run";
import { type CeleryWorker, type RedisServer, sendTasks, startCeleryWorker, startRedis, waitFor } from "../helpers/celery";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let redis: RedisServer;
let worker: CeleryWorker | undefined;
let sources: string;

beforeAll(async () => {
  t = await createTestDatabase("celery_cli");
  redis = await startRedis();
  sources = JSON.stringify([
    { name: "tasks", kind: "celery", broker: redis.url(2) },
    { name: "billing", kind: "pg-boss" },
  ]);
});
afterAll(async () => {
  await worker?.kill();
  await redis?.dispose();
  await t?.drop();
});

const withSources = async <T>(fn: () => Promise<T>): Promise<T> => {
  const before = process.env.JOBDECK_SOURCES;
  process.env.JOBDECK_SOURCES = sources;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.JOBDECK_SOURCES;
    else process.env.JOBDECK_SOURCES = before;
  }
};

test("bad usage, an unknown source and a source of another kind exit 2 with one line; --help exits 0", async () => {
  await withSources(async () => {
    for (const [args, message] of [
      [["celery-bridge"], /--source NAME is required/],
      [["celery-bridge", "--source", "nope"], /unknown source "nope"; celery sources: tasks/],
      [["celery-bridge", "--source", "billing"], /source "billing" is a pg-boss source, not a celery one/],
      [["celery-bridge", "--source", "tasks", "--bogus"], /bogus/],
    ] as const) {
      const r = await runCli(t.url, args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const help = await runCli(t.url, ["celery-bridge", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: jobdeck celery-bridge --source NAME/);
  });
});

test("it runs, records a real worker's tasks, and stops cleanly on SIGTERM", async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: t.url, JOBDECK_SOURCES: sources };
  delete env.JOBDECK_DATA_DIR;
  const child = spawn(process.execPath, [JOBDECK, "celery-bridge", "--source", "tasks"], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on("close", r));
  try {
    await waitFor(async () => (await t.db.query("select 1 from celery_bridges where source = 'tasks' and connected")).length === 1, "standalone bridge connected", 60_000);
    worker = await startCeleryWorker({ broker: redis.url(2), name: `cli${process.pid}`, pool: "prefork", concurrency: 1 });
    const [id] = sendTasks(redis.url(2), [{ name: "fixture.add", args: [20, 22] }]);
    await waitFor(async () => (await t.db.query("select 1 from celery_tasks where source = 'tasks' and task_id = $1 and state = 'SUCCESS' and result = '42'", [id])).length === 1, "task recorded", 60_000);
    await waitFor(async () => (await t.db.query("select 1 from celery_workers where source = 'tasks' and hostname = $1", [worker!.hostname])).length === 1, "worker recorded");
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
  expect(stderr).toMatch(/jobdeck celery-bridge tasks: SIGTERM: stopping/);
  expect(stderr).toMatch(/stopped \(received \d+ events, wrote \d+\)/);
  const [row] = await t.db.query<{ connected: boolean; events_total: number }>("select connected, events_total from celery_bridges where source = 'tasks'");
  expect(row.connected).toBe(false);
  expect(row.events_total).toBeGreaterThan(0);
});
