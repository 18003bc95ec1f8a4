// Migration 0008_job_counters on a database that already holds jobs: it backfills the totals from
// the rows (after creating the triggers, in the same transaction), so the counters are exact from
// the first read after an upgrade.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Database, openDatabase } from "../../db/client";
import { migrate, migrationsDir } from "../../db/migrate";
import { readCampaignCounts, readJobCounts } from "../../lib/queue/counters";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let before: Database;
const olderDir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-migrations-0007-"));
beforeAll(async () => {
  t = await createTestDatabase("counters_backfill");
  // Start over on an empty database of the same server, migrated only up to 0007.
  await t.db.query("drop schema public cascade");
  await t.db.query("create schema public");
  cpSync(migrationsDir(), olderDir, { recursive: true });
  const journalPath = path.join(olderDir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag < "0008");
  writeFileSync(journalPath, JSON.stringify(journal));
  before = await openDatabase({ databaseUrl: t.url, max: 2 });
});
afterAll(async () => {
  await before?.close();
  await t?.drop();
  rmSync(olderDir, { recursive: true, force: true });
});

test("upgrading to 0008 counts the jobs already there", async () => {
  await migrate(before, olderDir);
  expect((await before.query<{ n: number }>("select count(*)::int as n from pg_class where relname = 'job_counts'"))[0].n).toBe(0);
  const [{ id: campaignId }] = await before.query<{ id: number }>(
    "insert into campaigns (name, kind, batch_size, created_by) values ('old', 'batch', 10, 'test') returning id",
  );
  await before.query(
    `insert into jobs (queue, kind, state, campaign_id, parent_id)
     select 'q' || (i % 3), 'k' || (i % 2), (array['pending', 'completed', 'dead', 'cancelled'])[1 + i % 4],
       case when i % 5 = 0 then $1::bigint end, case when i % 10 = 0 then 1 end
     from generate_series(1, 2000) i`,
    [campaignId],
  );
  expect((await migrate(before))[0]).toBe("0008_job_counters");
  const truth = await before.query<{ queue: string; kind: string; state: string; n: number }>(
    "select queue, kind, state, count(*)::int as n from jobs group by 1, 2, 3",
  );
  const key = (r: { queue: string; kind: string; state: string; n: number }) => `${r.queue}/${r.kind}/${r.state}=${r.n}`;
  expect((await readJobCounts(before)).map(key).sort()).toEqual(truth.map(key).sort());
  expect(await before.query("select 1 from job_count_deltas")).toEqual([]);
  const campaign = await readCampaignCounts(before, [campaignId]);
  const ctruth = await before.query<{ child: boolean; state: string; n: number }>(
    "select parent_id is not null as child, state, count(*)::int as n from jobs where campaign_id = $1 group by 1, 2",
    [campaignId],
  );
  const ckey = (r: { child: boolean; state: string; n: number }) => `${r.child}/${r.state}=${r.n}`;
  expect(campaign.map(ckey).sort()).toEqual(ctruth.map(ckey).sort());
  expect(campaign).toHaveLength(4); // batches completed/cancelled, items dead/pending
});
