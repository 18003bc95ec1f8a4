// The campaign aggregate: what an operator checks before resuming a long bulk run — batches,
// children by state, duplicates, gaps below next_start_position, and failed children.
// Shared by the CLI, the pages and the API, so fields are snake_case like the API.
import type { Sql } from "../../db/client";
import { campaignFloorSql, missingRanges, repairWindows } from "../queue/campaigns";
import { readCampaignCounts } from "../queue/counters";

const repairWindowCount = (r: { from: number; to: number }[], size: number) => repairWindows(r, size).length;

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
      /** Items this batch asked for (from its payload); null for batches made outside createCampaign. */
      batch_size: number | null;
      /** A repair batch (see repairGaps): fills missing positions, never moves next_start_position. */
      repair: boolean;
    }[];
  };
  children: { by_state: Record<string, number>; total: number };
  /** Items with more than one non-cancelled child: processed (or queued) more than once. */
  duplicates: { count: number; items: { item_key: string; job_ids: number[]; completed: number }[] };
  /** Positions below next_start_position (from where the first batch started) that have no completed child. */
  gaps: { count: number; ranges: { from: number; to: number }[] };
  /**
   * The gap positions with no child at all (or only cancelled ones): what "repair gaps" enqueues.
   * The other gap positions wait for a pending, running, retrying or dead child.
   */
  missing: { count: number; ranges: { from: number; to: number }[] };
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

// Item keys that occur more than once at all, read from jobs_campaign_item_idx alone; only these
// few are then checked for state (a duplicate is more than one non-cancelled item job).
// Item keys seen more than once (an index-only scan of jobs_campaign_item_idx), then each
// candidate's live children by one probe of the same index: joining the candidates to every
// child instead made the planner read all 100,000 children of a big campaign from the heap.
const DUPLICATE_CANDIDATES_SQL = `candidates as materialized (
  select item_key from jobs where campaign_id = $1 and item_key is not null
  group by item_key having count(*) > 1)`;
const DUPLICATE_CHILDREN_SQL = `select count(*) as k, array_agg(j.id order by j.id) as job_ids,
    (count(*) filter (where j.state = 'completed'))::int as completed, min(j.position) as first_position
  from jobs j where j.campaign_id = $1 and j.item_key = c.item_key and j.parent_id is not null and j.state <> 'cancelled'`;

export async function getCampaignAggregate(q: Sql, id: number): Promise<CampaignAggregate | null> {
  const [campaign] = await q.query<CampaignAggregate["campaign"]>(
    `select id, name, kind, queue, state, batch_size, next_start_position, total_items, created_by,
            created_at, updated_at, params
     from campaigns where id = $1`,
    [id],
  );
  if (!campaign) return null;
  const nsp = campaign.next_start_position;

  const [counts, batchItems, dups, gapRanges, failed, done, missing] = await Promise.all([
    readCampaignCounts(q, [id]),
    q.query<CampaignAggregate["batches"]["items"][number]>(
      `select id, state, position, attempts, created_at, started_at, finished_at, last_error,
              (payload->>'batch_size')::int as batch_size, payload ? 'repair' as repair
       from jobs where campaign_id = $1 and parent_id is null order by id desc limit 500`,
      [id],
    ),
    // The duplicates and their count (`total`, on every row) from one read of the candidates.
    q.query<CampaignAggregate["duplicates"]["items"][number] & { total: number }>(
      `with ${DUPLICATE_CANDIDATES_SQL}
       select c.item_key, x.job_ids, x.completed, (count(*) over ())::int as total from candidates c
       cross join lateral (${DUPLICATE_CHILDREN_SQL}) x
       where x.k > 1
       order by x.first_position, c.item_key limit ${LIST_LIMIT}`,
      [id],
    ),
    // Gaps and islands: between consecutive completed positions (with the first batch's start
    // minus one and next_start_position as sentinels), any jump larger than one is a missing range.
    q.query<{ from: number; to: number }>(
      `with floor as (select ${campaignFloorSql("$1")} as lo),
       done as (
         select distinct position as p from jobs, floor
         where campaign_id = $1 and parent_id is not null and state = 'completed'
           and position >= floor.lo and position < $2),
       edges as (
         select p, lag(p, 1, (select lo from floor) - 1) over (order by p) as prev
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
    missingRanges(q, id, nsp),
  ]);

  return {
    campaign,
    next_start_position: nsp,
    batches: { ...byState(counts.filter((c) => !c.child)), items: batchItems },
    children: byState(counts.filter((c) => c.child)),
    duplicates: { count: dups[0]?.total ?? 0, items: dups.map(({ item_key, job_ids, completed }) => ({ item_key, job_ids, completed })) },
    gaps: {
      count: gapRanges.reduce((sum, g) => sum + (g.to - g.from + 1), 0),
      ranges: gapRanges.slice(0, LIST_LIMIT),
    },
    missing: {
      count: missing.reduce((sum, g) => sum + (Number(g.to) - Number(g.from) + 1), 0),
      ranges: missing.slice(0, LIST_LIMIT).map((g) => ({ from: Number(g.from), to: Number(g.to) })),
    },
    failed_children: failed,
    progress: { done: done[0]?.n ?? 0, total: campaign.total_items },
  };
}

/** A campaign id from a URL segment: a positive whole number, else null (a 404). */
export function parseCampaignId(raw: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
}

export interface CampaignListRow {
  id: number;
  name: string;
  kind: string;
  queue: string;
  state: string;
  batch_size: number;
  next_start_position: number;
  total_items: number | null;
  created_at: Date;
  /** When the first batch started (null until a worker claims it). */
  started_at: Date | null;
  /** Latest change of the campaign or any of its jobs (created, started or finished). */
  last_activity_at: Date;
  /** Distinct positions with a completed child. */
  items_done: number;
  children_by_state: Record<string, number>;
  children_total: number;
  /** Batches not finished (pending, running or retrying). */
  open_batches: number;
}

export const CAMPAIGN_LIST_LIMIT = 100;

/**
 * Campaigns newest first, with children by state (from the job counters) and progress (through
 * jobs_campaign_idx and jobs_campaign_children_state_idx); `beforeId` pages on.
 */
export async function listCampaigns(q: Sql, opts: { beforeId?: number; limit?: number } = {}): Promise<CampaignListRow[]> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), CAMPAIGN_LIST_LIMIT);
  const rows = await q.query<Omit<CampaignListRow, "children_by_state" | "children_total">>(
    // Batch jobs (a few per thousand items) give start and activity; items done from
    // jobs_campaign_children_state_idx alone; children by state from the job counters.
    `select c.id, c.name, c.kind, c.queue, c.state, c.batch_size, c.next_start_position, c.total_items, c.created_at,
            s.started_at, greatest(c.updated_at, s.last_at) as last_activity_at,
            coalesce(d.items_done, 0)::int as items_done, coalesce(s.open_batches, 0)::int as open_batches
     from campaigns c
     left join lateral (
       select min(started_at) as started_at,
              max(greatest(created_at, started_at, finished_at)) as last_at,
              count(*) filter (where state in ('pending', 'running', 'failed')) as open_batches
       from jobs where campaign_id = c.id and parent_id is null) s on true
     left join lateral (
       select count(distinct position) as items_done from jobs
       where campaign_id = c.id and parent_id is not null and state = 'completed') d on true
     where ($1::bigint is null or c.id < $1)
     order by c.id desc limit $2`,
    [opts.beforeId ?? null, limit],
  );
  const counts = await readCampaignCounts(q, rows.map((r) => Number(r.id)));
  return rows.map((r) => {
    const by: Record<string, number> = {};
    for (const c of counts) if (c.child && c.campaign_id === Number(r.id)) by[c.state] = c.n;
    return { ...r, children_by_state: by, children_total: Object.values(by).reduce((a, b) => a + b, 0) };
  });
}

export interface CampaignActionPreview {
  campaign_id: number;
  state: string;
  next_start_position: number;
  total_items: number | null;
  batch_size: number;
  resume: {
    /** Why Resume would be refused now, or null when it would run. */
    refused: string | null;
    start_position: number;
  };
  retry: {
    /** Item jobs that would be retried: failed (retry scheduled) and dead. */
    failed: number;
    dead: number;
    refused: string | null;
  };
  repair: {
    /** Gap positions (no completed child). */
    gap_positions: number;
    /** Of those, positions with no child at all (or only cancelled ones): what repair enqueues. */
    missing_positions: number;
    missing_ranges: { from: number; to: number }[];
    /** Gap positions waiting for a pending/running/retrying child. */
    in_progress: number;
    /** Gap positions whose child is dead: "retry failed children" covers them. */
    dead: number;
    /** Repair batches it would enqueue. */
    batches: number;
    refused: string | null;
  };
  cancel: {
    /** Pending and retrying jobs (batches and items) that would be cancelled. */
    will_cancel: number;
    /** Running jobs asked to stop. */
    will_request_cancel: number;
    refused: string | null;
  };
}

/** What each campaign action would do now, and why it would be refused. Changes nothing. */
export async function getCampaignActionPreview(q: Sql, id: number): Promise<CampaignActionPreview | null> {
  const [c] = await q.query<{ id: number; state: string; next_start_position: number; total_items: number | null; batch_size: number }>(
    "select id, state, next_start_position, total_items, batch_size from campaigns where id = $1",
    [id],
  );
  if (!c) return null;
  const nsp = c.next_start_position;
  const [counts, openBatches, gapRows, missing] = await Promise.all([
    readCampaignCounts(q, [id]),
    q.query<{ id: number; state: string; repair: boolean }>(
      `select id, state, payload ? 'repair' as repair from jobs where campaign_id = $1 and parent_id is null
       and state in ('pending', 'running', 'failed') order by id limit 5`,
      [id],
    ),
    // Gap positions that have a live child but no completed one, by what they wait for.
    q.query<{ waiting: string; n: number }>(
      `select waiting, count(*)::int as n from (
         select case when bool_or(state in ('pending', 'running', 'failed')) then 'in_progress' else 'dead' end as waiting
         from jobs
         where campaign_id = $1 and parent_id is not null and state <> 'cancelled'
           and position >= ${campaignFloorSql("$1")} and position < $2
         group by position having not bool_or(state = 'completed')) g
       group by waiting`,
      [id, nsp],
    ),
    missingRanges(q, id, nsp),
  ]);
  const n = (batch: boolean, state: string) => counts.find((r) => r.child === !batch && r.state === state)?.n ?? 0;
  const cancelled = c.state === "cancelled";
  const firstOpen = openBatches[0];
  let resumeRefused: string | null = null;
  if (cancelled) resumeRefused = "The campaign is cancelled; a cancelled campaign is not resumed.";
  else if (c.total_items != null && nsp >= c.total_items) resumeRefused = `No items are left: next_start_position ${nsp} is at the known total ${c.total_items}.`;
  else if (firstOpen) {
    resumeRefused = `${firstOpen.repair ? "Repair batch" : "Batch"} job #${firstOpen.id} is still ${firstOpen.state === "failed" ? "retrying" : firstOpen.state}; it moves the position itself. Resume after it finishes, or cancel it.`;
  }
  const missingPositions = missing.reduce((s, r) => s + Number(r.to) - Number(r.from) + 1, 0);
  const openRepair = openBatches.find((b) => b.repair);
  let inProgress = 0;
  let dead = 0;
  for (const r of gapRows) {
    if (r.waiting === "in_progress") inProgress += r.n;
    else dead += r.n;
  }
  const missingRangesNum = missing.map((r) => ({ from: Number(r.from), to: Number(r.to) }));
  const failedN = n(false, "failed");
  const deadN = n(false, "dead");
  const willCancel = n(true, "pending") + n(true, "failed") + n(false, "pending") + n(false, "failed");
  const willRequest = n(true, "running") + n(false, "running");
  return {
    campaign_id: c.id,
    state: c.state,
    next_start_position: nsp,
    total_items: c.total_items,
    batch_size: c.batch_size,
    resume: { refused: resumeRefused, start_position: nsp },
    retry: {
      failed: failedN,
      dead: deadN,
      refused: cancelled ? "The campaign is cancelled." : failedN + deadN === 0 ? "No item job is failed or dead." : null,
    },
    repair: {
      gap_positions: missingPositions + inProgress + dead,
      missing_positions: missingPositions,
      missing_ranges: missingRangesNum.slice(0, LIST_LIMIT),
      in_progress: inProgress,
      dead,
      batches: repairWindowCount(missingRangesNum, c.batch_size),
      refused: cancelled
        ? "The campaign is cancelled."
        : openRepair
          ? `Repair batch job #${openRepair.id} is still ${openRepair.state}; repair again after it finishes.`
          : missingPositions === 0
            ? "No position is missing: every gap has an item job that is still running, retrying or dead."
            : null,
    },
    cancel: {
      will_cancel: willCancel,
      will_request_cancel: willRequest,
      refused: cancelled ? "The campaign is already cancelled." : c.state === "completed" && willCancel + willRequest === 0 ? "The campaign is completed; nothing is left to cancel." : null,
    },
  };
}
