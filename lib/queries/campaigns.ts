// The campaign aggregate: what an operator checks before resuming a long bulk run — batches,
// children by state, duplicates, gaps below next_start_position, and failed children.
// Shared by the CLI, the pages and the API, so fields are snake_case like the API.
import type { Sql } from "../../db/client";

const LIST_LIMIT = 100;

export interface CampaignAggregate {
  campaign: {
    id: number;
    name: string;
    kind: string;
    queue: string;
    state: string;
    batch_size: number;
    next_start_position: number;
    total_items: number | null;
    created_by: string;
    created_at: Date;
    updated_at: Date;
    params: Record<string, unknown>;
  };
  next_start_position: number;
  batches: {
    by_state: Record<string, number>;
    total: number;
    items: {
      id: number;
      state: string;
      position: number | null;
      attempts: number;
      created_at: Date;
      started_at: Date | null;
      finished_at: Date | null;
      last_error: string | null;
    }[];
  };
  children: { by_state: Record<string, number>; total: number };
  /** Items with more than one non-cancelled child: processed (or queued) more than once. */
  duplicates: { count: number; items: { item_key: string; job_ids: number[]; completed: number }[] };
  /** Positions below next_start_position that have no completed child. */
  gaps: { count: number; ranges: { from: number; to: number }[] };
  failed_children: {
    id: number;
    item_key: string | null;
    position: number | null;
    state: string;
    attempts: number;
    last_error: string | null;
  }[];
  /** Distinct positions with a completed child, against the known total. */
  progress: { done: number; total: number | null };
}

function byState(rows: { state: string; n: number }[]) {
  const by_state: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    by_state[r.state] = r.n;
    total += r.n;
  }
  return { by_state, total };
}

export async function getCampaignAggregate(q: Sql, id: number): Promise<CampaignAggregate | null> {
  const [campaign] = await q.query<CampaignAggregate["campaign"]>(
    `select id, name, kind, queue, state, batch_size, next_start_position, total_items, created_by,
            created_at, updated_at, params
     from campaigns where id = $1`,
    [id],
  );
  if (!campaign) return null;
  const nsp = campaign.next_start_position;

  const [counts, batchItems, dupCount, dupItems, gapRanges, failed, done] = await Promise.all([
    q.query<{ batch: boolean; state: string; n: number }>(
      `select parent_id is null as batch, state, count(*)::int as n
       from jobs where campaign_id = $1 group by 1, 2`,
      [id],
    ),
    q.query<CampaignAggregate["batches"]["items"][number]>(
      `select id, state, position, attempts, created_at, started_at, finished_at, last_error
       from jobs where campaign_id = $1 and parent_id is null order by id desc limit 500`,
      [id],
    ),
    q.query<{ n: number }>(
      `select count(*)::int as n from (
         select item_key from jobs
         where campaign_id = $1 and parent_id is not null and item_key is not null and state <> 'cancelled'
         group by item_key having count(*) > 1) d`,
      [id],
    ),
    q.query<CampaignAggregate["duplicates"]["items"][number]>(
      `select item_key, array_agg(id order by id) as job_ids,
              (count(*) filter (where state = 'completed'))::int as completed
       from jobs
       where campaign_id = $1 and parent_id is not null and item_key is not null and state <> 'cancelled'
       group by item_key having count(*) > 1
       order by min(position), item_key limit ${LIST_LIMIT}`,
      [id],
    ),
    // Gaps and islands: between consecutive completed positions (with -1 and next_start_position
    // as sentinels), any jump larger than one is a missing range.
    q.query<{ from: number; to: number }>(
      `with done as (
         select distinct position as p from jobs
         where campaign_id = $1 and parent_id is not null and state = 'completed'
           and position >= 0 and position < $2),
       edges as (
         select p, lag(p, 1, -1::bigint) over (order by p) as prev
         from (select p from done union all select $2::bigint) s)
       select prev + 1 as "from", p - 1 as "to" from edges where p - prev > 1 order by p`,
      [id, nsp],
    ),
    q.query<CampaignAggregate["failed_children"][number]>(
      `select id, item_key, position, state, attempts, last_error from jobs
       where campaign_id = $1 and parent_id is not null and state in ('failed', 'dead')
       order by position, id limit ${LIST_LIMIT}`,
      [id],
    ),
    q.query<{ n: number }>(
      `select count(distinct position)::int as n from jobs
       where campaign_id = $1 and parent_id is not null and state = 'completed'`,
      [id],
    ),
  ]);

  return {
    campaign,
    next_start_position: nsp,
    batches: { ...byState(counts.filter((c) => c.batch)), items: batchItems },
    children: byState(counts.filter((c) => !c.batch)),
    duplicates: { count: dupCount[0]?.n ?? 0, items: dupItems },
    gaps: {
      count: gapRanges.reduce((sum, g) => sum + (g.to - g.from + 1), 0),
      ranges: gapRanges.slice(0, LIST_LIMIT),
    },
    failed_children: failed,
    progress: { done: done[0]?.n ?? 0, total: campaign.total_items },
  };
}
