// `jobdeck jobs list`: filters (state, kind, queue, since, error prefix, limit) and both formats,
// through the real CLI; the shared filter parser and the keyset query directly.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { JobFilterError, parseJobFilter, parseSince } from "../../lib/filters/job-filter";
import { listJobs, selectJobIds } from "../../lib/queries/jobs";
import { claim, complete, enqueueMany, fail } from "../../lib/queue";
import { lines, runCli } from "../fixtures/cli-run";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
const id: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestDatabase("cli_jobs_list");
  const db = t.db;
  // Two dead mail jobs, failed for real through the queue: claimed, then failed permanently.
  [id.smtp, id.timeout] = await enqueueMany(db, [
    { kind: "email", queue: "mail", payload: { to: "a@example.com" } },
    { kind: "email", queue: "mail", payload: { to: "b@example.com" } },
  ]);
  const claimed = await claim(db, { workerId: "w-test", queues: ["mail"], limit: 10, leaseSeconds: 60 });
  const errors: Record<number, string> = {
    [id.smtp]: "SMTP 550 mailbox unavailable\n    at send (mailer.ts:12)",
    [id.timeout]: "timeout after 30s",
  };
  for (const c of claimed) await fail(db, { jobId: c.id, attemptId: c.attemptId, error: errors[c.id], permanent: true });
  // media: one pending, one completed, one running.
  [id.resizePending, id.resizeDone] = await enqueueMany(db, [
    { kind: "resize", queue: "media", priority: 10 },
    { kind: "resize", queue: "media" },
  ]);
  const [first] = await claim(db, { workerId: "w-test", queues: ["media"], limit: 1, leaseSeconds: 60 });
  expect(first.id).toBe(id.resizePending);
  await complete(db, { jobId: first.id, attemptId: first.attemptId });
  // swap names so they match states
  [id.resizePending, id.resizeDone] = [id.resizeDone, id.resizePending];
  [id.running] = await enqueueMany(db, [{ kind: "ocr", queue: "slow" }]);
  await claim(db, { workerId: "w-test", queues: ["slow"], limit: 1, leaseSeconds: 60 });
  // An old pending mail job: created three days ago, never started.
  [id.oldMail] = await enqueueMany(db, [{ kind: "email", queue: "mail" }]);
  await db.query("update jobs set created_at = now() - interval '3 days', run_at = now() + interval '1 day' where id = $1", [id.oldMail]);
});
afterAll(async () => t?.drop());

const ndjsonIds = (stdout: string) => lines(stdout).map((l) => (JSON.parse(l) as { id: number }).id);

test("--state dead --format ndjson: one documented object per dead job, newest first", async () => {
  const r = await runCli(t.url, ["jobs", "list", "--state", "dead", "--format", "ndjson"]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe("");
  const objs = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(objs.map((o) => o.id)).toEqual([id.timeout, id.smtp]);
  expect(Object.keys(objs[1]).sort()).toEqual(
    ["id", "key", "source", "kind", "queue", "state", "attempts", "max_attempts", "priority", "payload", "last_error", "locked_by", "locked_until", "created_at", "run_at", "finished_at"].sort(),
  );
  expect(objs[1]).toMatchObject({ id: id.smtp, key: String(id.smtp), source: "jobdeck" });
  expect(objs[1]).toMatchObject({ kind: "email", queue: "mail", state: "dead", attempts: 1, max_attempts: 5, payload: { to: "a@example.com" }, locked_by: null });
  expect(objs[1].last_error).toMatch(/^SMTP 550 mailbox unavailable\n/);
  expect(new Date(objs[1].finished_at as string).getTime()).toBeGreaterThan(Date.now() - 120_000);
});

test("several states, kind, queue, since, error prefix and limit narrow the list", async () => {
  const [multi, since, prefix, limited] = await Promise.all([
    runCli(t.url, ["jobs", "list", "--state", "dead,pending", "--kind", "email", "--format", "ndjson"]),
    runCli(t.url, ["jobs", "list", "--queue", "mail", "--since", "2 d", "--format", "ndjson"]),
    runCli(t.url, ["jobs", "list", "--error-prefix", "SMTP 550", "--format", "ndjson"]),
    runCli(t.url, ["jobs", "list", "--queue", "media", "--limit", "1", "--format", "ndjson"]),
  ]);
  expect(ndjsonIds(multi.stdout)).toEqual([id.oldMail, id.timeout, id.smtp]);
  // the old mail job's latest time (created_at, 3 days ago) is outside a 2-day window
  expect(ndjsonIds(since.stdout)).toEqual([id.timeout, id.smtp]);
  expect(ndjsonIds(prefix.stdout)).toEqual([id.smtp]);
  expect(ndjsonIds(limited.stdout)).toEqual([Math.max(id.resizeDone, id.resizePending)]);
  for (const r of [multi, since, prefix, limited]) expect(r.code).toBe(0);
});

test("table format: aligned columns with attempts/max, age and the first line of the error", async () => {
  const r = await runCli(t.url, ["jobs", "list", "--kind", "email"]);
  expect(r.code).toBe(0);
  const [header, ...rows] = lines(r.stdout);
  expect(header.split(/\s{2,}/).map((s) => s.trim())).toEqual(["ID", "KIND", "QUEUE", "STATE", "ATTEMPTS", "PRIO", "AGE", "LAST ERROR"]);
  expect(rows).toHaveLength(3);
  const smtp = rows.find((row) => row.trim().startsWith(`${id.smtp} `))!;
  expect(smtp.trim().split(/\s{2,}/)).toEqual([String(id.smtp), "email", "mail", "dead", "1/5", "0", expect.stringMatching(/^\d+s$/), "SMTP 550 mailbox unavailable"]);
  const old = rows.find((row) => row.trim().startsWith(`${id.oldMail} `))!;
  expect(old).toMatch(/pending\s+0\/5\s+0\s+3d$/);
  // columns are aligned: every row is as wide as the header up to the error column
  const errorCol = header.indexOf("LAST ERROR");
  expect(smtp.indexOf("SMTP")).toBe(errorCol);
});

describe("bad filters: exit 2, one line, nothing listed", () => {
  test.each([
    ["an unknown state", ["--state", "dead,zombie"], /unknown state "zombie"/],
    ["a malformed --since", ["--since", "10 parsecs"], /--since must be a number followed by s, m, h or d/],
    ["a bad --limit", ["--limit", "-5"], /--limit must be at least 1/],
    ["an unknown --format", ["--format", "csv"], /--format must be table or ndjson/],
  ])("%s", async (_name, args, message) => {
    const r = await runCli(t.url, ["jobs", "list", ...(args as string[])]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe("");
  });
});

describe("the shared filter (lib/filters/job-filter)", () => {
  test("parseSince accepts s, m, h, d with or without a space", () => {
    expect(parseSince("45s")).toBe(45);
    expect(parseSince("30m")).toBe(1_800);
    expect(parseSince("10h")).toBe(36_000);
    expect(parseSince("10 h")).toBe(36_000);
    expect(parseSince("2D")).toBe(172_800);
    for (const bad of ["", "h", "10", "1.5h", "-2d", "0m", "10 hours", "2w"]) expect(() => parseSince(bad), bad).toThrow();
  });

  test("parseJobFilter takes URL-style strings and arrays", () => {
    expect(parseJobFilter({ state: ["dead", "failed,dead"], kind: "", since: "10h", limit: "20", beforeId: "99" })).toEqual({
      states: ["dead", "failed"],
      kind: undefined,
      queue: undefined,
      sinceSeconds: 36_000,
      errorPrefix: undefined,
      limit: 20,
      beforeId: 99,
    });
    expect(parseJobFilter({}).limit).toBe(100);
    expect(() => parseJobFilter({ limit: "5000" })).toThrow(JobFilterError);
    expect(parseJobFilter({ limit: "5000" }, { maxLimit: 10_000 }).limit).toBe(5000);
    expect(() => parseJobFilter({ stat: "dead" })).toThrow(/unknown filter field "stat"/);
  });

  test("listJobs walks pages with the keyset cursor; selectJobIds matches the same filter", async () => {
    const seen: number[] = [];
    let filter = parseJobFilter({ limit: 2 });
    for (let guard = 0; guard < 10; guard++) {
      const page = await listJobs(t.db, filter);
      seen.push(...page.jobs.map((j) => j.id));
      if (page.nextBeforeId === null) break;
      filter = { ...filter, beforeId: page.nextBeforeId };
    }
    const all = (await t.db.query<{ id: number }>("select id from jobs order by id desc")).map((r) => r.id);
    expect(seen).toEqual(all);
    expect(await selectJobIds(t.db, parseJobFilter({ state: "dead,running", limit: 10 }))).toEqual(
      [id.running, id.timeout, id.smtp].sort((a, b) => b - a),
    );
  });
});
