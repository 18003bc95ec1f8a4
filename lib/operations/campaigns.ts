// Operator actions on one campaign — resume from next_start_position, retry failed children,
// repair gaps, cancel — each audited in the transaction that makes the change; a refusal (a
// queue rule said no) is audited as "refused" in its own transaction and rethrown. The
// Next-free core of the campaign server actions (lib/actions/*campaign*.ts) and the CLI/API.
// Previews (what each would do now) come from lib/queries/campaigns getCampaignActionPreview.
import type { Database, Sql } from "../../db/client";
import { BULK_BATCH_SIZE } from "../audit/audited-batches";
import { type Actor, recordAudit } from "../audit/record";
import { cancelCampaign, failedChildIds, lockCampaignForUpdate, type PositionRange, repairGaps, resumeCampaign } from "../queue/campaigns";
import { retryJobs } from "../queue/operator";
import { QueueError } from "../queue/state-machine";

export const CAMPAIGN_ACTIONS = ["resume", "retryFailed", "repairGaps", "cancel"] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

export const CAMPAIGN_AUDIT_ACTION: Record<CampaignAction, string> = {
  resume: "campaign.resume",
  retryFailed: "campaign.retry_failed",
  repairGaps: "campaign.repair_gaps",
  cancel: "campaign.cancel",
};

export interface CampaignOpInput {
  campaignId: number;
  actor: Actor;
  reason?: string | null;
}

function checkId(id: number) {
  if (!Number.isSafeInteger(id) || id < 1) throw new QueueError("invalid_input", `"${id}" is not a campaign id`);
}

/** Runs `fn` in a transaction; a QueueError is audited as refused (own transaction) and rethrown. */
async function audited<T>(db: Database, action: CampaignAction, o: CampaignOpInput, fn: (q: Sql) => Promise<T>): Promise<T> {
  checkId(o.campaignId);
  try {
    return await db.tx(fn);
  } catch (e) {
    if (e instanceof QueueError && e.code !== "invalid_input") {
      await recordAudit(db, {
        actor: o.actor,
        action: CAMPAIGN_AUDIT_ACTION[action],
        filter: { campaign_id: o.campaignId },
        affected: 0,
        reason: o.reason ?? null,
        outcome: "refused",
        details: { campaign_id: o.campaignId, code: e.code, error: e.message },
      }).catch((err) => console.error("[jobdeck] could not audit a refused campaign action:", err));
    }
    throw e;
  }
}

export interface ResumeResult {
  batch_job_id: number;
  start_position: number;
}

/** Enqueues the next batch at next_start_position under the same campaign id. Refused while a batch is open. */
export function resumeCampaignOp(db: Database, o: CampaignOpInput): Promise<ResumeResult> {
  return audited(db, "resume", o, async (q) => {
    const r = await resumeCampaign(q, o.campaignId);
    await recordAudit(q, {
      actor: o.actor,
      action: CAMPAIGN_AUDIT_ACTION.resume,
      targetIds: [r.batchJobId],
      filter: { campaign_id: o.campaignId },
      affected: 1,
      reason: o.reason ?? null,
      outcome: "ok",
      details: { campaign_id: o.campaignId, start_position: r.startPosition, batch_job_id: r.batchJobId },
    });
    return { batch_job_id: r.batchJobId, start_position: r.startPosition };
  });
}

export interface RetryFailedResult {
  /** Item jobs put back to pending. */
  retried: number;
  /** Transactions committed, each with its audit row. */
  batches: number;
}

/**
 * Retries the campaign's failed (retry scheduled) and dead item jobs — only those; batches and
 * every other child are left alone. Walks them by id in transactions of 1,000, each re-checking
 * the campaign (refused once cancelled) and holding its audit row.
 */
export async function retryFailedChildrenOp(db: Database, o: CampaignOpInput): Promise<RetryFailedResult> {
  const result: RetryFailedResult = { retried: 0, batches: 0 };
  let after = 0;
  for (;;) {
    const step = await audited(db, "retryFailed", o, async (q) => {
      const c = await lockCampaignForUpdate(q, o.campaignId);
      if (c.state === "cancelled") throw new QueueError("conflict", `campaign ${o.campaignId} is cancelled; its items are not retried`);
      const ids = await failedChildIds(q, o.campaignId, { afterId: after, limit: BULK_BATCH_SIZE });
      if (!ids.length) {
        if (result.batches === 0) throw new QueueError("conflict", `campaign ${o.campaignId} has no failed or dead item jobs`);
        return null;
      }
      const r = await retryJobs(q, ids);
      await recordAudit(q, {
        actor: o.actor,
        action: CAMPAIGN_AUDIT_ACTION.retryFailed,
        targetIds: r.affected,
        filter: { campaign_id: o.campaignId, states: ["failed", "dead"], children: true },
        affected: r.affected.length,
        skipped: r.skipped.length + r.notFound.length,
        reason: o.reason ?? null,
        outcome: r.skipped.length ? "partial" : "ok",
        details: { campaign_id: o.campaignId, batch: result.batches + 1 },
      });
      return { ids, affected: r.affected.length };
    });
    if (!step) break;
    result.batches++;
    result.retried += step.affected;
    after = step.ids[step.ids.length - 1];
    if (step.ids.length < BULK_BATCH_SIZE) break;
  }
  return result;
}

export interface RepairGapsResult {
  /** Missing positions covered by the repair batches. */
  positions: number;
  ranges: PositionRange[];
  batch_job_ids: number[];
}

/** Enqueues repair batches for the missing positions below next_start_position (see repairGaps). */
export function repairGapsOp(db: Database, o: CampaignOpInput): Promise<RepairGapsResult> {
  return audited(db, "repairGaps", o, async (q) => {
    const r = await repairGaps(q, o.campaignId);
    await recordAudit(q, {
      actor: o.actor,
      action: CAMPAIGN_AUDIT_ACTION.repairGaps,
      targetIds: r.batchJobIds,
      filter: { campaign_id: o.campaignId },
      affected: r.positions,
      reason: o.reason ?? null,
      outcome: "ok",
      details: { campaign_id: o.campaignId, positions: r.positions, ranges: r.ranges.slice(0, 100), batch_job_ids: r.batchJobIds.slice(0, 100) },
    });
    return { positions: r.positions, ranges: r.ranges.slice(0, 100), batch_job_ids: r.batchJobIds };
  });
}

export interface CancelCampaignResult {
  cancelled: number;
  cancel_requested: number;
}

/** Stops further batches, cancels pending/retrying jobs, asks running ones to stop. */
export function cancelCampaignOp(db: Database, o: CampaignOpInput): Promise<CancelCampaignResult> {
  return audited(db, "cancel", o, async (q) => {
    const r = await cancelCampaign(q, o.campaignId);
    await recordAudit(q, {
      actor: o.actor,
      action: CAMPAIGN_AUDIT_ACTION.cancel,
      filter: { campaign_id: o.campaignId },
      affected: r.cancelled + r.cancelRequested,
      reason: o.reason ?? null,
      outcome: "ok",
      details: { campaign_id: o.campaignId, cancelled: r.cancelled, cancel_requested: r.cancelRequested },
    });
    return { cancelled: r.cancelled, cancel_requested: r.cancelRequested };
  });
}
