// JOBDECK_STATEMENT_TIMEOUT_MS at the library level: a pool opened with statementTimeoutMs has
// PostgreSQL cancel a read that runs past it (SQLSTATE 57014), the API answers that with a 503
// naming the fix, the pool's connections are free again at once (more timed-out reads than
// connections, then a normal read), and migrations are never under it. The setting is checked.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { type Database, openDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";
import { describeDbError, isStatementTimeout, QUERY_TIMEOUT_MESSAGE } from "../../db/outage";
import { toErrorResponse } from "../../lib/api/errors";
import { parseJobFilter } from "../../lib/filters/job-filter";
import { listJobsPage } from "../../lib/queries/jobs";
import { DbSettingsError, readReplicaUrl, statementTimeoutMs } from "../../lib/server/db-settings";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let limited: Database;

beforeAll(async () => {
  t = await createTestDatabase("statement_timeout");
  await t.db.query("insert into jobs (kind, queue, payload) select 'k', 'q', jsonb_build_object('n', g) from generate_series(1, 50) g");
  limited = await openDatabase({ databaseUrl: t.url, max: 2, statementTimeoutMs: 200 });
});

afterAll(async () => {
  await limited?.close();
  await t?.drop();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("the read should have been cancelled"),
    (err: unknown) => err,
  );
}

describe("a read under the statement timeout", () => {
  it("is cancelled by PostgreSQL and answered with a 503 naming the fix", async () => {
    const err = await rejection(limited.query("select pg_sleep(2)"));
    expect(isStatementTimeout(err)).toBe(true);
    expect(describeDbError(err)).toBe(QUERY_TIMEOUT_MESSAGE);
    const res = toErrorResponse(err, "test");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: "query_timeout", message: "this filter scanned too long — narrow the time range" } });
  });

  it("a /jobs filter that cannot finish in time (the table is locked) stops, and the pool serves the next read", async () => {
    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    try {
      await blocker.query("begin");
      await blocker.query("lock table jobs in access exclusive mode");
      const filter = parseJobFilter({ payload: '{"n": 7}' });
      // Three times the pool's two connections: none stays stuck, every one is cancelled.
      const errors = await Promise.all(Array.from({ length: 6 }, () => rejection(listJobsPage(limited, filter))));
      for (const err of errors) expect(isStatementTimeout(err), describeDbError(err)).toBe(true);
      await blocker.query("rollback");
      const page = await listJobsPage(limited, filter);
      expect(page.jobs).toHaveLength(1);
    } finally {
      await blocker.end();
    }
  });

  it("does not apply to migrations", async () => {
    // A migration whose statement takes longer than the pool's 200 ms, applied through that pool.
    const dir = mkdtempSync(path.join(tmpdir(), "jobdeck-slow-migration-"));
    try {
      mkdirSync(path.join(dir, "meta"));
      writeFileSync(path.join(dir, "meta", "_journal.json"), JSON.stringify({ entries: [{ idx: 9000, tag: "9000_slow" }] }));
      writeFileSync(path.join(dir, "9000_slow.sql"), "select pg_sleep(0.5);\n--> statement-breakpoint\ncreate table slow_migration_probe (x int);");
      expect(await migrate(limited, dir)).toEqual(["9000_slow"]);
      expect(await limited.query("select count(*)::int as n from slow_migration_probe")).toEqual([{ n: 0 }]);
      // The lifted limit was the migration's own (set local): the pool's reads still stop at 200 ms.
      expect(isStatementTimeout(await rejection(limited.query("select pg_sleep(0.5)")))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the settings", () => {
  it("default to 5 s, take whole milliseconds (0 = no limit) and refuse anything else by name", () => {
    expect(statementTimeoutMs({})).toBe(5000);
    expect(statementTimeoutMs({ JOBDECK_STATEMENT_TIMEOUT_MS: " 250 " })).toBe(250);
    expect(statementTimeoutMs({ JOBDECK_STATEMENT_TIMEOUT_MS: "0" })).toBe(0);
    for (const bad of ["5s", "-1", "1.5", "9999999999"]) {
      expect(() => statementTimeoutMs({ JOBDECK_STATEMENT_TIMEOUT_MS: bad })).toThrow(DbSettingsError);
      expect(() => statementTimeoutMs({ JOBDECK_STATEMENT_TIMEOUT_MS: bad })).toThrow(/JOBDECK_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds/);
    }
  });

  it("DATABASE_READ_URL must be a postgres URL next to DATABASE_URL", () => {
    expect(readReplicaUrl({})).toBeNull();
    const primary = "postgres://app@db1:5432/jobdeck";
    expect(readReplicaUrl({ DATABASE_URL: primary, DATABASE_READ_URL: "postgres://app@db2:5432/jobdeck" })).toBe("postgres://app@db2:5432/jobdeck");
    expect(() => readReplicaUrl({ DATABASE_READ_URL: "postgres://app@db2/jobdeck" })).toThrow(/needs DATABASE_URL/);
    expect(() => readReplicaUrl({ DATABASE_URL: primary, DATABASE_READ_URL: "mysql://db2/x" })).toThrow(/must be a postgres:\/\/ URL/);
    expect(() => readReplicaUrl({ DATABASE_URL: primary, DATABASE_READ_URL: "not a url" })).toThrow(/could not be parsed/);
  });
});
