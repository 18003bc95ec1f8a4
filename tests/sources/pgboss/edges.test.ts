// The pg-boss source at its edges: keys and cursors it accepts and refuses, the library versions
// it acts with (as installed), a schema version no installed pg-boss acts on (read-only), and a
// database it cannot reach (health says so, reads fail fast, the breaker opens).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobFilterError } from "../../../lib/filters/job-filter";
import { createPgBossSource } from "../../../lib/sources/pgboss";
import { decodeCursor, encodeCursor, parseJobRef } from "../../../lib/sources/pgboss/keys";
import { BOSS_LIBRARIES } from "../../../lib/sources/pgboss/library";
import { CapabilityError, type Source, SourceUnavailableError } from "../../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { makeBoss, sql } from "./harness";

const actor = { name: "ops@example.com" };
const UUID = "5b0d1f5e-3c1a-4c59-9f0e-2f6f1d3c4b5a";

describe("pg-boss keys and cursors", () => {
  it("reads the uuid from the end, so queue names may contain ':'", () => {
    expect(parseJobRef(`mail:send:${UUID.toUpperCase()}`)).toEqual({ queue: "mail:send", id: UUID });
    expect(parseJobRef(`reports/daily.v2:${UUID}`)).toEqual({ queue: "reports/daily.v2", id: UUID });
  });

  it("refuses anything that is not <queue>:<uuid>", () => {
    for (const bad of [UUID, `:${UUID}`, `q:${UUID}x`, `q:${UUID.slice(1)}`, "q:1", "42", "", `q\n:${UUID}`, `${"q".repeat(256)}:${UUID}`, 7, null]) {
      expect(parseJobRef(bad)).toBeNull();
    }
  });

  it("round-trips its cursors and refuses others with a 400-style filter error", () => {
    const c = { t: "2026-01-02T03:04:05.123456Z", id: UUID };
    expect(decodeCursor(encodeCursor(c), "before")).toEqual(c);
    expect(decodeCursor(encodeCursor({ ...c, inclusive: true }), "after")).toEqual({ ...c, inclusive: true });
    for (const bad of ["", "abc", Buffer.from('{"t":"yesterday","id":"x"}').toString("base64url"), Buffer.from(`{"t":"2026-01-02T03:04:05Z","id":"${UUID}'"}`).toString("base64url")]) {
      expect(() => decodeCursor(bad, "before")).toThrow(JobFilterError);
    }
  });

  it("names the installed pg-boss versions it acts with", () => {
    for (const lib of BOSS_LIBRARIES) {
      const pkg = JSON.parse(readFileSync(`node_modules/${lib.packageName}/package.json`, "utf8")) as { version: string };
      expect(pkg.version).toBe(lib.version);
    }
    const schema12 = JSON.parse(readFileSync("node_modules/pg-boss-v12/dist/schema.json", "utf8")) as { version: number };
    expect(BOSS_LIBRARIES.find((l) => l.major === 12)?.schemaVersion).toBe(schema12.version);
    const schema10 = JSON.parse(readFileSync("node_modules/pg-boss/version.json", "utf8")) as { schema: number };
    expect(BOSS_LIBRARIES.find((l) => l.major === 10)?.schemaVersion).toBe(schema10.schema);
  });
});

describe("a pg-boss schema no installed library acts on", () => {
  let db: TestDatabase;
  let source: Source;
  let id: string;

  beforeAll(async () => {
    db = await createTestDatabase("pgboss_newer");
    const boss = makeBoss(12, db.url);
    await boss.start();
    await boss.createQueue("q");
    id = (await boss.send("q", { n: 1 }, { startAfter: 3600 }))!;
    await boss.stop({ graceful: false });
    await sql(db.url, "update pgboss.version set version = 47"); // as a newer pg-boss would leave it
    source = await createPgBossSource({ name: "newer", kind: "pg-boss", url: db.url, schema: "pgboss", readOnly: false }, db.db, { DATABASE_URL: db.url });
  });

  afterAll(async () => {
    await source?.close();
    await db?.drop();
  });

  it("is read-only with the reason, still readable, and refuses actions", async () => {
    const info = await source.info();
    expect(info.readOnly).toBe(true);
    expect(info.schemaVersion).toBe("47");
    expect(info.libraryVersion).toBeNull();
    expect(info.readOnlyReason).toMatch(/^pg-boss schema version 47 is not one the installed pg-boss libraries act on \(24 \(pg-boss 10\.4\.2\) or 46 \(pg-boss 12\.38\.0\)\)/);
    for (const c of ["retry", "cancel", "priority", "runNow", "recoverStale"] as const) expect(info.capabilities[c]).toEqual({ supported: false, reason: info.readOnlyReason });
    expect((await source.listJobs({ criteria: { states: [] }, limit: 10 })).jobs.map((j) => j.key)).toEqual([`q:${id}`]);
    await expect(source.apply({ action: "cancel", target: { keys: [`q:${id}`] } }, { control: db.db, actor, reason: null, auditPrefix: "test" })).rejects.toBeInstanceOf(CapabilityError);
    expect((await sql<{ state: string }>(db.url, "select state::text from pgboss.job where id = $1", [id]))[0].state).toBe("created");
  });

  it("reads in guest sessions with a statement timeout and without JIT (which took seconds to compile a summary)", async () => {
    const { openGuestDatabase } = await import("../../../lib/sources/guest-db");
    const guest = await openGuestDatabase({ name: "newer", kind: "pg-boss", url: db.url, schema: "pgboss", readOnly: false }, db.db, { DATABASE_URL: db.url });
    try {
      expect(await guest.query("select current_setting('jit') as jit, current_setting('statement_timeout') as timeout")).toEqual([{ jit: "off", timeout: "5s" }]);
    } finally {
      await guest.close();
    }
  });

  it("names a schema that holds no pg-boss as unavailable, with the reason", async () => {
    const wrong = await createPgBossSource({ name: "wrong", kind: "pg-boss", url: db.url, schema: "nothere", readOnly: false }, db.db, { DATABASE_URL: db.url });
    try {
      await expect(wrong.info()).rejects.toBeInstanceOf(SourceUnavailableError);
      await expect(wrong.listJobs({ criteria: { states: [] }, limit: 10 })).rejects.toThrow(/no pg-boss schema "nothere" here: it has no version table/);
      expect((await wrong.health()).ok).toBe(true); // the database answers; the schema is what is missing
    } finally {
      await wrong.close();
    }
  });
});

describe("a pg-boss source whose database is unreachable", () => {
  let control: TestDatabase;
  let source: Source;

  beforeAll(async () => {
    control = await createTestDatabase("pgboss_down");
    source = await createPgBossSource(
      { name: "down", kind: "pg-boss", url: "postgres://postgres:s3cret@127.0.0.1:1/nowhere", schema: "pgboss", readOnly: false },
      control.db,
      { DATABASE_URL: control.url },
    );
  });

  afterAll(async () => {
    await source?.close();
    await control?.drop();
  });

  it("says so in health without secrets, fails reads quickly, and opens its breaker", async () => {
    const h = await source.health();
    expect(h).toMatchObject({ ok: false, latencyMs: null, breaker: "closed" });
    expect(h.error).toMatch(/^postgres 127\.0\.0\.1:1\/nowhere schema=pgboss: .*ECONNREFUSED/);
    expect(h.error).not.toContain("s3cret");
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const read = source.listJobs({ criteria: { states: [] }, limit: 10 });
      await expect(read).rejects.toBeInstanceOf(SourceUnavailableError);
      await expect(read).rejects.toThrow(/^source "down" is unavailable: .*ECONNREFUSED/);
      expect(Date.now() - started).toBeLessThan(3_000);
    }
    const started = Date.now();
    await expect(source.summary()).rejects.toThrow(/^source "down" is unavailable: not asked again for \d+ s after repeated failures/);
    expect(Date.now() - started).toBeLessThan(100);
    expect((await source.health()).breaker).toBe("open");
  });
});
