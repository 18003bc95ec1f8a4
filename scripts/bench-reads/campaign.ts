// Seeds one large campaign for the read benchmark: 1,000 completed batch jobs of 100 positions
// and their 100,000 item jobs (mostly completed; a run of dead items, a few pending, positions
// missing, a handful of items processed twice), so the campaign detail page is timed on the
// shape the issue asks for: a campaign of 100,000 children inside a 1M-job table.
import type pg from "pg";

export async function seedLargeCampaign(c: pg.Client, log: (s: string) => void): Promise<number> {
  const t0 = performance.now();
  const [{ id }] = (
    await c.query<{ id: number }>(
      `insert into campaigns (name, kind, queue, params, batch_size, next_start_position, total_items, state, created_by)
       values ('bench: catalog of 100,000 items', 'ingest_catalog', 'default', '{}', 100, 100000, 120000, 'running', 'bench')
       returning id`,
    )
  ).rows;
  await c.query(
    `insert into jobs (queue, kind, payload, state, attempts, max_attempts, run_at, created_at, started_at, finished_at, campaign_id, position)
     select 'default', 'ingest_catalog', jsonb_build_object('start_position', b * 100, 'batch_size', 100), 'completed', 1, 5,
       now() - (1000 - b) * interval '20 seconds', now() - (1000 - b) * interval '20 seconds',
       now() - (1000 - b) * interval '20 seconds', now() - (1000 - b) * interval '20 seconds' + interval '5 seconds', $1, b * 100
     from generate_series(0, 999) b`,
    [id],
  );
  await c.query(
    `insert into jobs (queue, kind, payload, state, attempts, max_attempts, run_at, created_at, started_at, finished_at,
                       last_error, campaign_id, parent_id, item_key, position)
     select 'default', 'ingest_catalog.item', jsonb_build_object('sku', 'sku-' || p),
       case when p between 50000 and 50099 then 'dead' when p >= 99900 then 'pending' else 'completed' end,
       1, 5, now(), now(), now(), case when p < 99900 then now() end,
       case when p between 50000 and 50099 then 'ValidationError: price is not a number' end,
       $1, parent.id, 'sku-' || p, p
     from generate_series(0, 99999) p
     join jobs parent on parent.campaign_id = $1 and parent.parent_id is null and parent.position = (p / 100) * 100
     where p % 997 <> 0`,
    [id],
  );
  // A few items processed twice (a re-run batch before de-duplication).
  await c.query(
    `insert into jobs (queue, kind, payload, state, attempts, max_attempts, campaign_id, parent_id, item_key, position, finished_at)
     select queue, kind, payload, 'completed', 1, 5, campaign_id, parent_id, item_key, position, now()
     from jobs where campaign_id = $1 and parent_id is not null and position in (10, 20000, 70000)`,
    [id],
  );
  // Autovacuum would do this for a finished stretch of a campaign: index-only scans need it.
  await c.query("vacuum analyze jobs");
  log(`  campaign ${id}: 1,000 batches, ${(100_000 - 101).toLocaleString("en-US")} items (+3 duplicates, 101 positions missing, 100 dead): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return id;
}
