// The pool of a worker from Celery's `stats` reply, in the shapes Celery 5.2 sends: the prefork
// pool names no implementation but lists its processes; the others name their implementation.
// (bridge-redis.test.ts checks the whole path against a real prefork worker.)
import { expect, test } from "vitest";
import { poolOfStats } from "../../lib/celery/worker-pools";

test("prefork, threads, solo, and a reply without a pool", () => {
  expect(poolOfStats({ pool: { "max-concurrency": 3, processes: [11, 12, 13], "max-tasks-per-child": "N/A" } })).toEqual({ pool: "prefork", concurrency: 3 });
  expect(poolOfStats({ pool: { implementation: "celery.concurrency.thread:TaskPool", "max-concurrency": 8, threads: [] } })).toEqual({ pool: "threads", concurrency: 8 });
  expect(poolOfStats({ pool: { implementation: "celery.concurrency.solo:TaskPool", "max-concurrency": 1 } })).toEqual({ pool: "solo", concurrency: 1 });
  expect(poolOfStats({ total: {} })).toEqual({ pool: null, concurrency: null });
  expect(poolOfStats("not stats")).toEqual({ pool: null, concurrency: null });
});
