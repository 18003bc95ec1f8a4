// Campaigns: a long run over an ordered source in batches. A batch is a parent job whose
// handler enqueues item children and reports where the next batch starts; completing a batch
// advances next_start_position and chains the next batch in the same transaction, so the
// position only moves when the work before it is really done.
import type { Sql } from "../../db/client";
import { enqueueMany } from "./enqueue";
import { type Completion, complete } from "./finish";
import { QueueError } from "./state-machine";

export interface CampaignSpec {
  name: string;
  /** Kind of the batch jobs; the worker's handler for it enqueues the children. */
  kind: string;
  queue?: string;
  params?: Record<string, unknown>;
  batchSize: number;
  totalItems?: number | null;
  startPosition?: number;
  createdBy: string;
}

/** What a batch job's payload holds; the handler reads it through ctx.batch. */
export interface BatchPayload {
  start_position: number;
  batch_size: number;
  params: Record<string, unknown>;
  /**
   * Present on a repair batch (see repairGaps): only these positions (inclusive ranges) are
   * missing. The handler runs as for any batch; enqueueChildren keeps only children in these
   * ranges, and completing it neither moves next_start_position nor chains a batch.
   */
  repair?: { ranges: PositionRange[] };
}

/** Inclusive range of positions. */
export interface PositionRange {
  from: number;
  to: number;
}

interface CampaignRow {
  id: number;
  kind: string;
  queue: string;
  params: Record<string, unknown>;
  batch_size: number;
  next_start_position: number;
  total_items: number | null;
  state: string;
}

async function enqueueBatch(q: Sql, c: CampaignRow, start: number): Promise<number> {
  const payload: BatchPayload = { start_position: start, batch_size: c.batch_size, params: c.params };
  const [id] = await enqueueMany(q, [
    { kind: c.kind, queue: c.queue, payload, campaignId: c.id, position: start, maxAttempts: 5 },
  ]);
  return id;
}

async function lockCampaign(q: Sql, id: number): Promise<CampaignRow> {
  const [c] = await q.query<CampaignRow>("select * from campaigns where id = $1 for update", [id]);
  if (!c) throw new QueueError("not_found", `campaign ${id} does not exist`);
  return c;
}

export async function createCampaign(q: Sql, spec: CampaignSpec): Promise<{ campaignId: number; batchJobId: number }> {
  if (!spec.name.trim()) throw new QueueError("invalid_input", "campaign name must not be empty");
  if (!spec.kind.trim()) throw new QueueError("invalid_input", "campaign kind must not be empty");
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1) {
    throw new QueueError("invalid_input", "batch size must be a positive whole number");
  }
  const [c] = await q.query<CampaignRow>(
    `insert into campaigns (name, kind, queue, params, batch_size, total_items, next_start_position, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
    [spec.name.trim(), spec.kind.trim(), spec.queue ?? "default", JSON.stringify(spec.params ?? {}),
      spec.batchSize, spec.totalItems ?? null, spec.startPosition ?? 0, spec.createdBy],
  );
  return { campaignId: c.id, batchJobId: await enqueueBatch(q, c, c.next_start_position) };
}

/** Batches of the campaign that are not finished (pending, scheduled, backing off or running). */
async function openBatches(q: Sql, campaignId: number) {
  return q.query<{ id: number; state: string }>(
    `select id, state from jobs where campaign_id = $1 and parent_id is null
     and state in ('pending', 'running', 'failed') order by id`,
    [campaignId],
  );
}

/**
 * Continues the campaign from next_start_position under the same id. Refuses while a batch is
 * still open, since that batch will move the position itself.
 */
export async function resumeCampaign(q: Sql, id: number): Promise<{ batchJobId: number; startPosition: number }> {
  const c = await lockCampaign(q, id);
  if (c.state === "cancelled") throw new QueueError("conflict", `campaign ${id} is cancelled`);
  if (c.total_items != null && c.next_start_position >= c.total_items) {
    throw new QueueError("conflict", `campaign ${id} has no items left (next_start_position ${c.next_start_position} of ${c.total_items})`);
  }
  const open = await openBatches(q, id);
  if (open.length) {
    throw new QueueError("conflict", `campaign ${id} still has batch job ${open[0].id} ${open[0].state}; resume after it finishes or cancel it`);
  }
  await q.query("update campaigns set state = 'running', updated_at = now() where id = $1", [id]);
  return { batchJobId: await enqueueBatch(q, c, c.next_start_position), startPosition: c.next_start_position };
}

export interface CampaignCancellation {
  cancelled: number;
  cancelRequested: number;
  /** The jobs cancelled and the running ones asked to stop, for the audit rows. */
  cancelledIds: number[];
  cancelRequestedIds: number[];
}

/** Cancels pending children and batches, asks running ones to stop, and stops further batches. */
export async function cancelCampaign(q: Sql, id: number): Promise<CampaignCancellation> {
  const c = await lockCampaign(q, id);
  if (c.state === "cancelled") throw new QueueError("conflict", `campaign ${id} is already cancelled`);
  if (c.state === "completed") {
    const [open] = await q.query<{ n: number }>(
      "select count(*)::int as n from jobs where campaign_id = $1 and state in ('pending', 'running', 'failed')",
      [id],
    );
    if (open.n === 0) throw new QueueError("conflict", `campaign ${id} is completed; nothing is left to cancel`);
  }
  await q.query("update campaigns set state = 'cancelled', updated_at = now() where id = $1", [id]);
  const cancelled = await q.query<{ id: number }>(
    `update jobs set state = 'cancelled', finished_at = now()
     where campaign_id = $1 and state in ('pending', 'failed') returning id`,
    [id],
  );
  const requested = await q.query<{ id: number }>(
    `update jobs set cancel_requested_at = coalesce(cancel_requested_at, now())
     where campaign_id = $1 and state = 'running' returning id`,
    [id],
  );
  const ids = (rows: { id: number }[]) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  return { cancelled: cancelled.length, cancelRequested: requested.length, cancelledIds: ids(cancelled), cancelRequestedIds: ids(requested) };
}

export interface ChildSpec {
  itemKey: string;
  position: number;
  payload?: unknown;
  kind?: string;
  priority?: number;
}

/**
 * Enqueues a batch's children. An item that already has a live or finished child in this
 * campaign is skipped, so re-running an interrupted batch does not process items twice.
 */
export async function enqueueChildren(
  q: Sql,
  batch: { jobId: number; attemptId: number },
  children: readonly ChildSpec[],
): Promise<{ inserted: number[]; skippedKeys: string[] }> {
  const [parent] = await q.query<{ campaign_id: number; kind: string; queue: string; repair: { ranges: PositionRange[] } | null }>(
    `select campaign_id, kind, queue, payload->'repair' as repair from jobs
     where id = $1 and attempt_id = $2 and state = 'running' and campaign_id is not null for update`,
    [batch.jobId, batch.attemptId],
  );
  if (!parent) throw new QueueError("lost_lease", `batch job ${batch.jobId} is not held by attempt ${batch.attemptId}`);
  const existing = new Set(
    (
      await q.query<{ item_key: string }>(
        `select distinct item_key from jobs where campaign_id = $1 and item_key = any($2::text[]) and state <> 'cancelled'`,
        [parent.campaign_id, children.map((c) => c.itemKey)],
      )
    ).map((r) => r.item_key),
  );
  // A repair batch only fills the positions it was created for.
  const inRepair = (p: number) => !parent.repair || parent.repair.ranges.some((r) => p >= r.from && p <= r.to);
  const fresh = children.filter(
    (c, i) => inRepair(c.position) && !existing.has(c.itemKey) && children.findIndex((d) => d.itemKey === c.itemKey) === i,
  );
  const inserted = await enqueueMany(
    q,
    fresh.map((c) => ({
      kind: c.kind ?? `${parent.kind}.item`,
      queue: parent.queue,
      payload: c.payload ?? {},
      priority: c.priority ?? 0,
      campaignId: parent.campaign_id,
      parentId: batch.jobId,
      itemKey: c.itemKey,
      position: c.position,
    })),
  );
  return { inserted, skippedKeys: children.filter((c) => !fresh.includes(c)).map((c) => c.itemKey) };
}

export interface BatchReport {
  /** Where the next batch starts (the first position not covered by this batch). */
  nextStartPosition: number;
  /** Size of the source, when the handler learns it. */
  totalItems?: number | null;
  /** The source is exhausted: no next batch. Defaults to nextStartPosition >= totalItems. */
  done?: boolean;
}

/** Completes a batch job, advances the campaign, and chains the next batch unless done or stopped. */
export async function completeBatch(q: Sql, c: Completion, report: BatchReport): Promise<{ nextBatchJobId: number | null }> {
  const [job] = await q.query<{ campaign_id: number | null; repair: boolean }>(
    "select campaign_id, payload ? 'repair' as repair from jobs where id = $1",
    [c.jobId],
  );
  if (!job?.campaign_id) throw new QueueError("invalid_input", `job ${c.jobId} is not a campaign batch`);
  const campaign = await lockCampaign(q, job.campaign_id);
  await complete(q, c);
  // A repair batch filled holes below next_start_position: the position and the chain stay.
  if (job.repair) return { nextBatchJobId: null };
  const total = report.totalItems ?? campaign.total_items;
  const done = report.done ?? (total != null && report.nextStartPosition >= total);
  const [updated] = await q.query<CampaignRow>(
    `update campaigns set next_start_position = greatest(next_start_position, $2), total_items = $3,
       state = case when $4 and state = 'running' then 'completed' else state end, updated_at = now()
     where id = $1 returning *`,
    [campaign.id, report.nextStartPosition, total, done],
  );
  if (done || updated.state !== "running") return { nextBatchJobId: null };
  return { nextBatchJobId: await enqueueBatch(q, updated, updated.next_start_position) };
}

// ---------------------------------------------------------------------------------------------
// Repair and retry: what an operator does after an interrupted run left holes.

/** Lowest position the campaign covers: where its first batch started (0 before any batch). */
export const campaignFloorSql = (campaignParam: string) =>
  `coalesce((select min(position) from jobs where campaign_id = ${campaignParam} and parent_id is null and not (payload ? 'repair')), 0)`;

/**
 * Positions below next_start_position (from the first batch's start) with no child at all except
 * cancelled ones, as inclusive ranges: what repairGaps enqueues. Gap positions that do have a
 * child (pending, running, retrying or dead) are not missing — they wait for that child, or for
 * "retry failed children" — so a repair never creates a duplicate.
 */
export async function missingRanges(q: Sql, campaignId: number, nextStartPosition: number): Promise<PositionRange[]> {
  return q.query<PositionRange>(
    `with floor as (select ${campaignFloorSql("$1")} as lo),
     covered as (
       select distinct position as p from jobs, floor
       where campaign_id = $1 and parent_id is not null and state <> 'cancelled'
         and position >= floor.lo and position < $2),
     edges as (
       select p, lag(p, 1, (select lo from floor) - 1) over (order by p) as prev
       from (select p from covered union all select $2::bigint) s)
     select (prev + 1)::float8 as "from", (p - 1)::float8 as "to" from edges where p - prev > 1 order by p`,
    [campaignId, nextStartPosition],
  );
}

/**
 * Groups missing ranges into repair windows no wider than the batch size, so the batch handler
 * fetches about one batch of source rows per repair batch.
 */
export function repairWindows(ranges: readonly PositionRange[], batchSize: number): PositionRange[][] {
  const windows: PositionRange[][] = [];
  let cur: PositionRange[] = [];
  for (const r0 of ranges) {
    let r = { ...r0 };
    while (r.from <= r.to) {
      const start = cur.length ? cur[0].from : r.from;
      const room = start + batchSize - 1;
      if (r.from > room) {
        windows.push(cur);
        cur = [];
        continue;
      }
      const to = Math.min(r.to, room);
      cur.push({ from: r.from, to });
      r = { from: to + 1, to: r.to };
      if (to === room) {
        windows.push(cur);
        cur = [];
      }
    }
  }
  if (cur.length) windows.push(cur);
  return windows;
}

/** Repair batches of the campaign that have not finished. */
async function openRepairBatches(q: Sql, campaignId: number) {
  return q.query<{ id: number; state: string }>(
    `select id, state from jobs where campaign_id = $1 and parent_id is null and payload ? 'repair'
     and state in ('pending', 'running', 'failed') order by id`,
    [campaignId],
  );
}

export interface RepairResult {
  /** Missing positions the repair batches cover. */
  positions: number;
  ranges: PositionRange[];
  batchJobIds: number[];
}

/**
 * Enqueues repair batches for the missing positions below next_start_position (see
 * missingRanges): batch jobs of the campaign's kind whose payload says which positions to fill.
 * The batch handler runs as usual; enqueueChildren keeps only those positions and skips present
 * item keys. Refused for a cancelled campaign, while a repair batch is still open, and when
 * nothing is missing.
 */
export async function repairGaps(q: Sql, id: number): Promise<RepairResult> {
  const c = await lockCampaign(q, id);
  if (c.state === "cancelled") throw new QueueError("conflict", `campaign ${id} is cancelled; it cannot be repaired`);
  const open = await openRepairBatches(q, id);
  if (open.length) {
    throw new QueueError("conflict", `campaign ${id} already has repair batch job ${open[0].id} ${open[0].state}; repair again after it finishes`);
  }
  const ranges = (await missingRanges(q, id, c.next_start_position)).map((r) => ({ from: Number(r.from), to: Number(r.to) }));
  if (!ranges.length) {
    throw new QueueError("conflict", `campaign ${id} has no missing positions below ${c.next_start_position}; gaps that remain wait for their running, retrying or dead item jobs`);
  }
  const windows = repairWindows(ranges, c.batch_size);
  const batchJobIds = await enqueueMany(
    q,
    windows.map((w) => {
      const start = w[0].from;
      const payload: BatchPayload = { start_position: start, batch_size: w[w.length - 1].to - start + 1, params: c.params, repair: { ranges: w } };
      return { kind: c.kind, queue: c.queue, payload, campaignId: c.id, position: start, maxAttempts: 5 };
    }),
  );
  await q.query("update campaigns set updated_at = now() where id = $1", [id]);
  return { positions: ranges.reduce((n, r) => n + r.to - r.from + 1, 0), ranges, batchJobIds };
}

/** Ids of the campaign's item jobs that failed (retry scheduled) or are dead, in id order, after `afterId`. */
export async function failedChildIds(q: Sql, campaignId: number, opts: { afterId?: number; limit: number }): Promise<number[]> {
  const rows = await q.query<{ id: number }>(
    `select id from jobs where campaign_id = $1 and parent_id is not null and state in ('failed', 'dead')
     and id > $2 order by id limit $3`,
    [campaignId, opts.afterId ?? 0, opts.limit],
  );
  return rows.map((r) => Number(r.id));
}

/** Locks and returns the campaign row (for operations that check its state in their transaction). */
export async function lockCampaignForUpdate(q: Sql, id: number): Promise<{ id: number; state: string; next_start_position: number; batch_size: number; total_items: number | null }> {
  return lockCampaign(q, id);
}

/** Batches (repair ones included) that keep Resume refused, oldest first. */
export async function openCampaignBatches(q: Sql, campaignId: number): Promise<{ id: number; state: string }[]> {
  return openBatches(q, campaignId);
}
