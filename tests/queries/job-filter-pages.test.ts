// The Jobs page's filters (lib/filters/job-filter) and read model (lib/queries/jobs listJobsPage)
// against a real PostgreSQL: every filter field, the messages that name an invalid field, the
// table's computed columns, and keyset pagination both ways staying stable under inserts.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  JobFilterError,
  jobFilterInputFromSearchParams,
  jobFilterToSearchParams,
  parseJobFilter,
  parseTimeBound,
  safeParseJobFilter,
} from "../../lib/filters/job-filter";
import { countJobsByState, listJobsPage, selectJobIds } from "../../lib/queries/jobs";
import { claim, complete, enqueueMany, fail } from "../../lib/queue";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
const id: Record<string, number> = {};

async function ids(input: Record<string, unknown>): Promise<number[]> {
  return (await listJobsPage(t.db, parseJobFilter({ limit: 1000, ...input }))).jobs.map((j) => j.id);
}

beforeAll(async () => {
  t = await createTestDatabase("queries_filter_pages");
  const db = t.db;
  const [{ id: campaignId }] = await db.query<{ id: number }>(
    "insert into campaigns (name, kind, batch_size, created_by) values ('c', 'batch', 10, 'test') returning id",
  );
  id.campaign = campaignId;
  [id.mailDone, id.mailDead] = await enqueueMany(db, [
    { kind: "email", queue: "mail", payload: { user: { id: 7 }, tags: ["a", "b"] } },
    { kind: "email", queue: "mail", payload: { user: { id: 8 } } },
  ]);
  const a = await claim(db, { workerId: "w-alpha", queues: ["mail"], limit: 1, leaseSeconds: 60 });
  await complete(db, { jobId: a[0].id, attemptId: a[0].attemptId });
  const b = await claim(db, { workerId: "w-beta", queues: ["mail"], limit: 1, leaseSeconds: 60 });
  await fail(db, { jobId: b[0].id, attemptId: b[0].attemptId, error: "SMTP 550 Mailbox Unavailable\n    at send (mailer.ts:12)", permanent: true });
  [id.running] = await enqueueMany(db, [{ kind: "resize", queue: "media", payload: { user: { id: 7 } } }]);
  await claim(db, { workerId: "w-gamma", queues: ["media"], limit: 1, leaseSeconds: 60 });
  [id.pending, id.inCampaign] = await enqueueMany(db, [
    { kind: "resize", queue: "media", runAt: new Date(Date.now() + 3_600_000) },
    { kind: "item", queue: "media", campaignId: id.campaign, runAt: new Date(Date.now() + 3_600_000) },
  ]);
  // Time travel: the completed mail job was created 3 days ago and finished 2 days ago.
  await db.query(
    "update jobs set created_at = now() - interval '3 days', started_at = now() - interval '2 days' - interval '5 seconds', finished_at = now() - interval '2 days' where id = $1",
    [id.mailDone],
  );
});
afterAll(async () => t?.drop());

describe("parsing: every field, and messages that name the invalid field", () => {
  test("new fields parse from URL strings", () => {
    const f = parseJobFilter({
      worker: " w-alpha ",
      campaign: "12",
      createdSince: "10h",
      createdUntil: "2025-06-01",
      finishedSince: "2025-06-01T12:30",
      finishedUntil: "2025-06-01T12:30:00+02:00",
      errorContains: "mailbox",
      payload: '{"user":{"id":7}}',
      id: "42",
      afterId: "9",
    });
    expect(f).toMatchObject({
      worker: "w-alpha",
      campaignId: 12,
      createdSince: { ago: 36_000 },
      createdUntil: { at: new Date("2025-06-01T00:00:00Z") },
      finishedSince: { at: new Date("2025-06-01T12:30:00Z") },
      finishedUntil: { at: new Date("2025-06-01T10:30:00Z") },
      errorContains: "mailbox",
      payloadContains: { user: { id: 7 } },
      id: 42,
      afterId: 9,
    });
    expect(parseTimeBound("2d")).toEqual({ ago: 172_800 });
  });

  test.each([
    ["createdSince", "banana", /createdSince must be a duration like 30m, 10h or 2d, or a date/],
    ["createdUntil", "2025-02-30", /createdUntil must be a duration .* \(got "2025-02-30"\)/],
    ["finishedSince", "10 parsecs", /finishedSince must be/],
    ["finishedUntil", "2025-13-01", /finishedUntil must be/],
    ["payload", "{user: 7}", /payload must be JSON, like \{"user_id": 42\}/],
    ["payload", "42", /payload must be a JSON object or array/],
    ["id", "abc", /id must be a job id/],
    ["id", "0", /id must be a job id/],
    ["campaign", "-3", /campaign must be a campaign id/],
    ["state", "zombie", /unknown state "zombie"/],
  ])("%s=%s", (field, value, message) => {
    const r = safeParseJobFilter({ [field]: value });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(JobFilterError);
    expect(r.error.field).toBe(field);
    expect(r.error.message).toMatch(message);
    expect(() => parseJobFilter({ [field]: value })).toThrow(message);
  });

  test("every invalid field is reported, each under its name", () => {
    const r = safeParseJobFilter({ state: "zombie", payload: "{", createdSince: "soon", id: "x", beforeId: "5", afterId: "9" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.error.fieldErrors()).sort()).toEqual(["afterId", "createdSince", "id", "payload", "state"]);
  });

  test("search params round trip; unrelated params are ignored", () => {
    const input = { state: "dead,failed", worker: "w-1", campaign: "3", createdSince: "2d", finishedUntil: "2025-06-01T00:00:00.000Z", errorContains: "x", payload: '{"a":1}', id: "5", limit: "20", beforeId: "100" };
    const f = parseJobFilter(input);
    const sp = jobFilterToSearchParams(f);
    sp.set("selected", "1,2,3");
    expect(parseJobFilter(jobFilterInputFromSearchParams(sp))).toEqual(f);
    expect(jobFilterInputFromSearchParams({ state: ["dead", "failed"], tab: "x" })).toEqual({ state: ["dead", "failed"] });
  });
});

describe("each filter selects exactly its jobs", () => {
  test("worker: locked_by of a running job, the last attempt's worker of a finished one, never a pending job", async () => {
    expect(await ids({ worker: "w-alpha" })).toEqual([id.mailDone]);
    expect(await ids({ worker: "w-beta" })).toEqual([id.mailDead]);
    expect(await ids({ worker: "w-gamma" })).toEqual([id.running]);
    expect(await ids({ worker: "w-nobody" })).toEqual([]);
  });

  test("campaign, id, kind + queue", async () => {
    expect(await ids({ campaign: String(id.campaign) })).toEqual([id.inCampaign]);
    expect(await ids({ id: String(id.mailDead) })).toEqual([id.mailDead]);
    expect(await ids({ id: String(id.mailDead), state: "completed" })).toEqual([]);
    expect(await ids({ kind: "resize", queue: "media" })).toEqual([id.pending, id.running]);
  });

  test("created and finished ranges, relative and absolute", async () => {
    const everything = await ids({});
    expect(await ids({ createdSince: "1d" })).toEqual(everything.filter((x) => x !== id.mailDone));
    expect(await ids({ createdUntil: "1d" })).toEqual([id.mailDone]);
    expect(await ids({ finishedSince: "1d" })).toEqual([id.mailDead]);
    expect(await ids({ finishedUntil: "1d" })).toEqual([id.mailDone]);
    const day = new Date(Date.now() - 2.5 * 86_400_000).toISOString();
    expect(await ids({ finishedSince: day, finishedUntil: new Date().toISOString() })).toEqual([id.mailDead, id.mailDone]);
    expect(await ids({ createdSince: "4d", createdUntil: "2d" })).toEqual([id.mailDone]);
  });

  test("error prefix (case-sensitive) and contains (case-insensitive)", async () => {
    expect(await ids({ errorPrefix: "SMTP 550" })).toEqual([id.mailDead]);
    expect(await ids({ errorPrefix: "smtp 550" })).toEqual([]);
    expect(await ids({ errorContains: "mailbox unavailable" })).toEqual([id.mailDead]);
    expect(await ids({ errorContains: "mailer.ts:12" })).toEqual([id.mailDead]);
    expect(await ids({ errorContains: "100%_" })).toEqual([]);
  });

  test("payload contains (jsonb @>)", async () => {
    expect(await ids({ payload: '{"user":{"id":7}}' })).toEqual([id.running, id.mailDone]);
    expect(await ids({ payload: '{"tags":["b"]}' })).toEqual([id.mailDone]);
    expect(await ids({ payload: '{"user":{"id":9}}' })).toEqual([]);
  });

  test("several states walk each state's index and merge newest first, like the plain query", async () => {
    const expected = (await t.db.query<{ id: number }>("select id from jobs where state in ('dead', 'pending', 'completed') order by id desc")).map((r) => r.id);
    expect(await ids({ state: "dead,pending,completed" })).toEqual(expected);
    expect(await selectJobIds(t.db, parseJobFilter({ state: "dead,pending,completed", limit: 2 }))).toEqual(expected.slice(0, 2));
    expect(await countJobsByState(t.db, parseJobFilter({ kind: "email" }))).toEqual({ completed: 1, dead: 1 });
  });
});

test("page rows: worker, age, runtime and the first line of the error", async () => {
  const page = await listJobsPage(t.db, parseJobFilter({}));
  const row = (x: number) => page.jobs.find((j) => j.id === x)!;
  expect(row(id.mailDead)).toMatchObject({ state: "dead", worker: "w-beta", attempts: 1, max_attempts: 5, error_line: "SMTP 550 Mailbox Unavailable" });
  expect(row(id.mailDone)).toMatchObject({ state: "completed", worker: "w-alpha", error_line: null });
  expect(row(id.mailDone).runtime_ms).toBeCloseTo(5_000, -1);
  expect(row(id.mailDone).age_seconds).toBeGreaterThan(3 * 86_400 - 60);
  expect(row(id.running)).toMatchObject({ state: "running", worker: "w-gamma" });
  expect(row(id.running).runtime_ms).toBeGreaterThanOrEqual(0);
  expect(row(id.pending)).toMatchObject({ state: "pending", worker: null, runtime_ms: null });
});

test("keyset pages stay stable under inserts, forwards and back", async () => {
  const db = t.db;
  const base = await enqueueMany(db, Array.from({ length: 25 }, (_, i) => ({ kind: "page", queue: "pages", payload: { i } })));
  const newestFirst = [...base].reverse();
  const f = parseJobFilter({ kind: "page", limit: 10 });
  const p1 = await listJobsPage(db, f);
  expect(p1.jobs.map((j) => j.id)).toEqual(newestFirst.slice(0, 10));
  expect(p1.prevAfterId).toBeNull();
  // New jobs arrive while the operator reads page 1.
  const fresh = await enqueueMany(db, Array.from({ length: 4 }, () => ({ kind: "page", queue: "pages" })));
  const p2 = await listJobsPage(db, { ...f, beforeId: p1.nextBeforeId! });
  expect(p2.jobs.map((j) => j.id)).toEqual(newestFirst.slice(10, 20));
  const p3 = await listJobsPage(db, { ...f, beforeId: p2.nextBeforeId! });
  expect(p3.jobs.map((j) => j.id)).toEqual(newestFirst.slice(20));
  expect(p3.nextBeforeId).toBeNull();
  // Back from page 2: exactly page 1 as it was, and a link further back because of the new jobs.
  const back = await listJobsPage(db, { ...f, afterId: p2.prevAfterId! });
  expect(back.jobs.map((j) => j.id)).toEqual(newestFirst.slice(0, 10));
  expect(back.nextBeforeId).toBe(p1.nextBeforeId);
  expect(back.prevAfterId).toBe(newestFirst[0]);
  // Back again: fewer than a page is newer, so it is the first page, newest jobs included.
  const top = await listJobsPage(db, { ...f, afterId: back.prevAfterId! });
  expect(top.jobs.map((j) => j.id)).toEqual([...[...fresh].reverse(), ...newestFirst.slice(0, 6)]);
  expect(top.prevAfterId).toBeNull();
});
