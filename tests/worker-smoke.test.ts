import { afterAll, beforeAll, expect, test } from "vitest";
import { enqueueMany } from "../lib/queue";
import { createWorker, PermanentError } from "../lib/worker";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("worker_smoke");
});
afterAll(async () => t?.drop());

test("an in-process worker completes, fails and dead-letters jobs", async () => {
  const ids = await enqueueMany(t.db, [
    ...Array.from({ length: 50 }, (_, i) => ({ kind: "ok", payload: { i } })),
    { kind: "boom", maxAttempts: 2 },
    { kind: "perm" },
  ]);
  const w = createWorker({
    db: t.db,
    concurrency: 5,
    pollIntervalMs: 20,
    heartbeatSeconds: 1,
    handlers: {
      ok: async (p) => ({ doubled: (p as { i: number }).i * 2 }),
      boom: async () => {
        throw new Error("connection reset by peer");
      },
      perm: async () => {
        throw new PermanentError("payload has no url");
      },
    },
  });
  await w.start();
  // backoff for the first retry of "boom" is 1-2 s with the default base
  for (let i = 0; i < 100; i++) {
    const [r] = await t.db.query<{ n: number }>("select count(*)::int n from jobs where state in ('pending','running','failed')");
    if (r.n === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  await w.stop();
  const states = await t.db.query<{ state: string; n: number }>("select state, count(*)::int n from jobs group by state order by state");
  expect(states).toEqual([
    { state: "completed", n: 50 },
    { state: "dead", n: 2 },
  ]);
  const [boom] = await t.db.query<{ attempts: number; last_error: string }>("select attempts, last_error from jobs where id = $1", [ids[50]]);
  expect(boom.attempts).toBe(2);
  expect(boom.last_error).toContain("connection reset by peer");
  const [perm] = await t.db.query<{ attempts: number }>("select attempts from jobs where id = $1", [ids[51]]);
  expect(perm.attempts).toBe(1);
  const hist = await t.db.query<{ outcome: string }>("select outcome from job_attempts where job_id = $1 order by id", [ids[50]]);
  expect(hist.map((h) => h.outcome)).toEqual(["failed", "dead"]);
});
