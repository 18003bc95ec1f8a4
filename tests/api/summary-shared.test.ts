// The jobs list's summary is shared between requests (lib/api/jobs getJobsSummaryShared): within
// the TTL callers share one computation; past it, one refresh runs while callers get the previous
// summary — none waits for a slow count — unless that summary is older than SUMMARY_MAX_AGE_MS,
// when they wait for fresh numbers. The refresh is held back by locking the jobs table.
import { afterAll, beforeAll, expect, test } from "vitest";
import { getJobsSummaryShared, SUMMARY_MAX_AGE_MS } from "../../lib/api/jobs";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("api_summary_shared");
});
afterAll(async () => t?.drop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const addPending = () => t.db.query("insert into jobs (kind, state) values ('shared', 'pending')");

test("callers share one summary, get the previous one while a refresh is held up, then the new one", async () => {
  await addPending();
  const first = await getJobsSummaryShared(t.db);
  expect(first.by_status.pending).toBe(1);
  await addPending();
  expect((await getJobsSummaryShared(t.db)).as_of).toBe(first.as_of); // within the TTL: shared

  await sleep(1_100);
  const during = await t.db.tx(async (q) => {
    await q.query("lock table jobs in access exclusive mode");
    // The refresh this starts waits on the lock (until this transaction ends); the caller must not.
    return Promise.race([getJobsSummaryShared(t.db), sleep(3_000).then(() => "waited for the refresh" as const)]);
  });
  expect(during).toEqual(first);

  let next = first;
  for (let i = 0; i < 100 && next.as_of === first.as_of; i++) {
    await sleep(50);
    next = await getJobsSummaryShared(t.db);
  }
  expect(next.as_of).not.toBe(first.as_of);
  expect(next.by_status.pending).toBe(2);
});

test(`a summary older than ${SUMMARY_MAX_AGE_MS} ms is not served: the caller waits for fresh numbers`, async () => {
  const before = await getJobsSummaryShared(t.db);
  await sleep(SUMMARY_MAX_AGE_MS + 100);
  await addPending();
  let answered = false;
  const pending = await t.db.tx(async (q) => {
    await q.query("lock table jobs in access exclusive mode");
    const p = getJobsSummaryShared(t.db).then((s) => ((answered = true), s));
    await sleep(300);
    expect(answered).toBe(false);
    return { p };
  });
  const fresh = await pending.p;
  expect(fresh.as_of).not.toBe(before.as_of);
  expect(fresh.by_status.pending).toBe(before.by_status.pending + 1);
});
