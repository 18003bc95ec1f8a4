// `jobdeck enqueue` end to end: bad input exits 2 with one line and writes nothing; good input
// inserts every job and its audit row.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { lines, runCli } from "../fixtures/cli-run";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("cli_enqueue");
});
afterAll(async () => t?.drop());

async function counts() {
  const [r] = await t.db.query<{ jobs: number; audit: number }>(
    "select (select count(*)::int from jobs) as jobs, (select count(*)::int from audit_events) as audit",
  );
  return r;
}

describe("bad input: exit 2, one line on stderr, nothing written", () => {
  const cases: [string, string[], string | undefined, RegExp][] = [
    ["an empty kind", ["enqueue", "--kind", "  "], undefined, /kind must not be empty/],
    ["a payload that is not JSON", ["enqueue", "--kind", "k", "--payload", "{oops"], undefined, /--payload is not valid JSON/],
    ["a priority out of range", ["enqueue", "--kind", "k", "--priority", "101"], undefined, /--priority must be between -100 and 100/],
    ["a malformed --run-at", ["enqueue", "--kind", "k", "--run-at", "tomorrow"], undefined, /--run-at must be an ISO 8601/],
    ["a zero --count", ["enqueue", "--kind", "k", "--count", "0"], undefined, /--count must be between/],
    [
      "one bad NDJSON line among good ones",
      ["enqueue"],
      '{"kind":"a"}\n{"kind":"b","priority":-101}\n{"kind":"c"}\n',
      /stdin line 2: priority must be between -100 and 100/,
    ],
    ["an NDJSON line that is not JSON", ["enqueue"], '{"kind":"a"}\nkind=b\n', /stdin line 2: not valid JSON/],
  ];
  test.each(cases)("%s", async (_name, args, input, message) => {
    const r = await runCli(t.url, args, input);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^jobdeck enqueue: /);
    expect(r.stdout).toBe("");
    expect(await counts()).toEqual({ jobs: 0, audit: 0 });
  });
});

test("flags: --count copies of one job, ids on stdout, summary on stderr, one audit row", async () => {
  const r = await runCli(t.url, [
    "enqueue", "--kind", "send-email", "--queue", "mail", "--payload", '{"to":"a@example.com"}',
    "--count", "3", "--priority", "-7", "--run-at", "2030-01-02T03:04:05Z", "--max-attempts", "2",
  ]);
  expect(r.stderr).toMatch(/^enqueued 3 jobs \(ids \d+\.\.\d+\)\n$/);
  expect(r.code).toBe(0);
  const ids = lines(r.stdout).map(Number);
  expect(ids).toHaveLength(3);
  const rows = await t.db.query<Record<string, unknown>>(
    "select id, kind, queue, payload, priority, max_attempts, state, run_at from jobs order by id",
  );
  expect(rows.map((row) => row.id)).toEqual(ids);
  for (const row of rows) {
    expect(row).toMatchObject({ kind: "send-email", queue: "mail", payload: { to: "a@example.com" }, priority: -7, max_attempts: 2, state: "pending" });
    expect((row.run_at as Date).toISOString()).toBe("2030-01-02T03:04:05.000Z");
  }
  const audit = await t.db.query<Record<string, unknown>>("select actor, action, target_ids, affected, outcome from audit_events");
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ action: "enqueue", affected: 3, outcome: "ok" });
  expect(audit[0].actor).toMatch(/^cli:[^@]+@.+/);
  expect((audit[0].target_ids as unknown[]).map(Number)).toEqual(ids);
});

test("NDJSON specs on stdin, snake or camel case, flags as defaults, all in one transaction", async () => {
  const before = await counts();
  const input = [
    '{"kind":"resize","payload":{"img":1},"priority":5,"run_at":"2031-01-01T00:00:00Z"}',
    "",
    '{"kind":"resize","queue":"fast","maxAttempts":9,"runAt":"2031-01-01T00:00:00Z"}',
    '{"kind":"ocr","max_attempts":1,"run_at":null,"priority":null}',
  ].join("\n");
  const r = await runCli(t.url, ["enqueue", "--queue", "media", "--priority", "3"], input);
  expect(r.code).toBe(0);
  const ids = lines(r.stdout).map(Number);
  expect(ids).toHaveLength(3);
  const rows = await t.db.query<Record<string, unknown>>(
    "select kind, queue, payload, priority, max_attempts from jobs where id = any($1::bigint[]) order by id",
    [ids],
  );
  expect(rows).toEqual([
    { kind: "resize", queue: "media", payload: { img: 1 }, priority: 5, max_attempts: 5 },
    { kind: "resize", queue: "fast", payload: {}, priority: 3, max_attempts: 9 },
    { kind: "ocr", queue: "media", payload: {}, priority: 3, max_attempts: 1 },
  ]);
  // run_at null is "now", not 1970
  const [ocr] = await t.db.query<{ run_at: Date }>("select run_at from jobs where id = $1", [ids[2]]);
  expect(Math.abs(ocr.run_at.getTime() - Date.now())).toBeLessThan(120_000);
  expect(await counts()).toEqual({ jobs: before.jobs + 3, audit: before.audit + 1 });
});

test("--help documents the flags and the output", async () => {
  const r = await runCli(t.url, ["enqueue", "--help"]);
  expect(r.code).toBe(0);
  for (const flag of ["--kind", "--queue", "--payload", "--count", "--priority", "--run-at", "--max-attempts", "Examples:"]) {
    expect(r.stdout).toContain(flag);
  }
});
