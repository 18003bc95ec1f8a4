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

/** Cancels pending children and batches, asks running ones to stop, and stops further batches. */
export async function cancelCampaign(q: Sql, id: number): Promise<{ cancelled: number; cancelRequested: number }> {
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
  const cancelled = await q.query(
    `update jobs set state = 'cancelled', finished_at = now()
     where campaign_id = $1 and state in ('pending', 'failed') returning id`,
    [id],
  );
  const requested = await q.query(
    `update jobs set cancel_requested_at = coalesce(cancel_requested_at, now())
     where campaign_id = $1 and state = 'running' returning id`,
    [id],
  );
  return { cancelled: cancelled.length, cancelRequested: requested.length };
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
  const [parent] = await q.query<{ campaign_id: number; kind: string; queue: string }>(
    `select campaign_id, kind, queue from jobs
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
  const fresh = children.filter((c, i) => !existing.has(c.itemKey) && children.findIndex((d) => d.itemKey === c.itemKey) === i);
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
  const [job] = await q.query<{ campaign_id: number | null }>(
    "select campaign_id from jobs where id = $1",
    [c.jobId],
  );
  if (!job?.campaign_id) throw new QueueError("invalid_input", `job ${c.jobId} is not a campaign batch`);
  const campaign = await lockCampaign(q, job.campaign_id);
  await complete(q, c);
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
