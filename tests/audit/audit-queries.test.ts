// lib/queries/audit.ts on real PostgreSQL: every filter, keyset paging both ways, one job's
// entries through the GIN index, and the export iterator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "../../lib/audit/record";
import { parseAuditFilter } from "../../lib/filters/audit-filter";
import { iterateAuditEvents, listAuditPage, listJobAudit, recentAuditActions } from "../../lib/queries/audit";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("audit_queries");
  const db = t.db;
  // 30 events: ids 1..30. Every third by bob, the rest by alice; job targets vary.
  for (let i = 1; i <= 30; i++) {
    await recordAudit(db, {
      actor: { name: i % 3 === 0 ? "Bob@example.com" : "alice@example.com", roles: ["operator"] },
      action: i % 2 ? "jobs.retry" : "jobs.cancel",
      targetIds: i % 5 === 0 ? null : [i, 1000 + (i % 4)],
      filter: i % 5 === 0 ? { state: ["dead"] } : undefined,
      affected: i,
      skipped: i % 2,
      reason: `reason ${i}`,
      outcome: i === 7 ? "partial" : "ok",
    });
  }
  // A token event: its target id 7 is API token #7, not job #7.
  await recordAudit(db, { actor: { name: "100%_actor" }, action: "tokens.create", targetIds: [7], affected: 1, outcome: "ok" });
  // Backdate: event i happened (40 - i) hours ago, so the newest id is the newest time.
  await db.query("update audit_events set at = now() - make_interval(hours => (40 - id)::int)");
});
afterAll(async () => {
  await t?.drop();
});

const ids = (events: { id: number }[]) => events.map((e) => e.id);

describe("audit queries", () => {
  it("lists newest first and pages with keyset cursors both ways", async () => {
    const first = await listAuditPage(t.db, parseAuditFilter({ limit: "10" }));
    expect(ids(first.events)).toEqual([31, 30, 29, 28, 27, 26, 25, 24, 23, 22]);
    expect(first.prevAfterId).toBeNull();
    expect(first.nextBeforeId).toBe(22);

    const second = await listAuditPage(t.db, parseAuditFilter({ limit: "10", beforeId: String(first.nextBeforeId) }));
    expect(ids(second.events)).toEqual([21, 20, 19, 18, 17, 16, 15, 14, 13, 12]);
    expect(second.prevAfterId).toBe(21);

    const back = await listAuditPage(t.db, parseAuditFilter({ limit: "5", afterId: "16" }));
    expect(ids(back.events)).toEqual([21, 20, 19, 18, 17]);
    expect(back.nextBeforeId).toBe(17);
    expect(back.prevAfterId).toBe(21);

    // A previous page that reaches the newest events is the first page.
    const top = await listAuditPage(t.db, parseAuditFilter({ limit: "10", afterId: "25" }));
    expect(ids(top.events)).toEqual(ids(first.events));
    expect(top.prevAfterId).toBeNull();

    const last = await listAuditPage(t.db, parseAuditFilter({ limit: "10", beforeId: "3" }));
    expect(ids(last.events)).toEqual([2, 1]);
    expect(last.nextBeforeId).toBeNull();
  });

  it("filters by actor substring (case-insensitive, wildcards literal), action and outcome", async () => {
    const bob = await listAuditPage(t.db, parseAuditFilter({ actor: "bob@", limit: "100" }));
    expect(ids(bob.events)).toEqual([30, 27, 24, 21, 18, 15, 12, 9, 6, 3]);
    const pct = await listAuditPage(t.db, parseAuditFilter({ actor: "%_", limit: "100" }));
    expect(ids(pct.events)).toEqual([31]);
    const cancels = await listAuditPage(t.db, parseAuditFilter({ action: "jobs.cancel", actor: "BOB", limit: "100" }));
    expect(ids(cancels.events)).toEqual([30, 24, 18, 12, 6]);
    const prefix = await listAuditPage(t.db, parseAuditFilter({ action: "jobs.*", limit: "100" }));
    expect(prefix.events).toHaveLength(30);
    const partial = await listAuditPage(t.db, parseAuditFilter({ outcome: "partial" }));
    expect(ids(partial.events)).toEqual([7]);
  });

  it("filters by time range (durations and ISO dates) and by target job id", async () => {
    // Event i is a hair over (40 - i) hours old: since 15h keeps i > 25, until 12h keeps i <= 28.
    const recent = await listAuditPage(t.db, parseAuditFilter({ since: "15h", until: "12h", limit: "100" }));
    expect(ids(recent.events)).toEqual([28, 27, 26]);
    const [{ at }] = await t.db.query<{ at: Date }>("select at from audit_events where id = 10");
    const iso = await listAuditPage(t.db, parseAuditFilter({ until: new Date(at).toISOString(), limit: "100" }));
    expect(ids(iso.events)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);

    const job = await listAuditPage(t.db, parseAuditFilter({ job: "1002", limit: "100" }));
    expect(ids(job.events)).toEqual([26, 22, 18, 14, 6, 2]);
    const one = await listJobAudit(t.db, 7); // not the token event 31 that names token #7
    expect(one.total).toBe(1);
    expect(one.events[0]).toMatchObject({ id: 7, actor: "alice@example.com", roles: ["operator"], action: "jobs.retry", target_ids: [7, 1003], affected: 7, skipped: 1, reason: "reason 7", outcome: "partial" });
    // A filter-targeted event has no ids and keeps its filter.
    expect(ids((await listAuditPage(t.db, parseAuditFilter({ job: "7" }))).events)).toEqual([7]);
    const filtered = await listAuditPage(t.db, parseAuditFilter({ job: "5" }));
    expect(filtered.events).toEqual([]);
    const [ev5] = (await listAuditPage(t.db, parseAuditFilter({ beforeId: "6", limit: "1" }))).events;
    expect(ev5).toMatchObject({ id: 5, target_ids: null, filter: { state: ["dead"] } });
  });

  it("finds a job's entries through the GIN index", async () => {
    await t.db.query("analyze audit_events");
    const plan = await t.db.query<{ "QUERY PLAN": string }>(
      "explain select id from audit_events where target_ids @> array[7::bigint]",
    );
    // With 31 rows the planner may prefer a scan; forbid that to prove the index can answer it.
    const forced = await t.db.tx(async (q) => {
      await q.query("set local enable_seqscan = off");
      return q.query<{ "QUERY PLAN": string }>("explain select id from audit_events where target_ids @> array[7::bigint]");
    });
    expect(plan.length).toBeGreaterThan(0);
    expect(forced.map((r) => r["QUERY PLAN"]).join("\n")).toContain("audit_events_target_ids_idx");
  });

  it("iterates every matching event in batches for the exports, with a cap", async () => {
    const all: number[] = [];
    for await (const e of iterateAuditEvents(t.db, { actor: "alice" }, { batch: 4 })) all.push(e.id);
    expect(all).toHaveLength(20);
    expect(all[0]).toBe(29);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    const capped: number[] = [];
    for await (const e of iterateAuditEvents(t.db, {}, { batch: 4, max: 6 })) capped.push(e.id);
    expect(capped).toEqual([31, 30, 29, 28, 27, 26]);
  });

  it("suggests the recent actions", async () => {
    expect(await recentAuditActions(t.db)).toEqual(["jobs.cancel", "jobs.retry", "tokens.create"]);
  });
});
