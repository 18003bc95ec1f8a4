// Foreign depth samples: one leader per minute across concurrent callers, one row per queue per
// minute, unreachable sources skipped with their error, and the depth series read back.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createNativeSource } from "../../lib/sources/native";
import { sampledDepth, sampleSourcesOnce } from "../../lib/sources/sampler";
import type { Source, SourceSummary } from "../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("sources_sampler");
});
afterAll(async () => t?.drop());

/** A source whose summary is given (the sampler only asks sources for their summary). */
function sourceWith(name: string, summary: () => Promise<SourceSummary>): Source {
  return { ...createNativeSource(t.db), name, kind: "pg-boss", summary };
}
const summary = (queues: { queue: string; pending: number; running: number; failed: number }[]): SourceSummary => ({
  asOf: new Date().toISOString(),
  counts: {},
  oldestPendingAgeSeconds: null,
  failedLastHour: null,
  completedLastHour: null,
  workers: null,
  stale: null,
  queues: queues.map((q) => ({ ...q, oldestPendingAgeSeconds: null, note: null })),
});

test("one row per queue per minute, once, by one leader; a failing source is reported and skipped", async () => {
  // Samples are per minute: start early in one so the whole test sees the same minute.
  const second = new Date().getUTCSeconds();
  if (second > 50) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
  const billing = sourceWith("billing", async () => summary([{ queue: "invoices", pending: 7, running: 2, failed: 1 }, { queue: "refunds", pending: 1, running: 0, failed: 0 }]));
  const broken = sourceWith("broken", async () => {
    throw new Error("connect ECONNREFUSED 10.0.0.9:5432");
  });
  const native = createNativeSource(t.db);
  const results = await Promise.all([sampleSourcesOnce(t.db, [native, billing, broken]), sampleSourcesOnce(t.db, [native, billing, broken])]);
  expect(results.filter((r) => r.leader).length).toBeGreaterThanOrEqual(1);
  const written = results.reduce((n, r) => n + (r.written.billing ?? 0), 0);
  expect(written).toBe(2);
  expect(results.find((r) => r.errors.broken)?.errors.broken).toMatch(/ECONNREFUSED/);
  // Same minute again: nothing more.
  expect((await sampleSourcesOnce(t.db, [billing])).written.billing ?? 0).toBe(0);
  const rows = await t.db.query("select source, queue, pending, running, failed from source_depth_samples order by queue");
  expect(rows).toEqual([
    { source: "billing", queue: "invoices", pending: 7, running: 2, failed: 1 },
    { source: "billing", queue: "refunds", pending: 1, running: 0, failed: 0 },
  ]);
  const series = await sampledDepth(t.db, "billing", "1h");
  expect(series.depthSamples).toBe(1);
  expect(series.depth.at(-1)).toMatchObject({ ready: 8, running: 2, retrying: 1 });
  expect((await sampledDepth(t.db, "other", "1h")).depthSamples).toBe(0);
});

test("on the embedded database a source that reads the same PGlite is sampled (its summary runs outside the sampling transaction)", async () => {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const { openDatabase } = await import("../../db/client");
  const { migrate } = await import("../../db/migrate");
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-sampler-"));
  const db = await openDatabase({ dataDir: dir, databaseUrl: "" });
  try {
    await migrate(db);
    // Like a pg-boss source without a url on the embedded database: its summary queries the control PGlite.
    const guest = { ...createNativeSource(db), name: "billing", kind: "pg-boss" as const };
    await db.query("insert into jobs (queue, kind) values ('invoices', 'demo'), ('invoices', 'demo')");
    const result = await sampleSourcesOnce(db, [guest]);
    expect(result).toMatchObject({ leader: true, errors: {} });
    expect(result.written.billing).toBeGreaterThanOrEqual(1);
    const [row] = await db.query<{ pending: number }>("select pending from source_depth_samples where source = 'billing' and queue = 'invoices'");
    expect(row.pending).toBe(2);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
