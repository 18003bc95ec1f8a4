// Operator actions on one campaign — resume from next_start_position, retry failed children,
// repair gaps, cancel — each audited in the transaction that makes the change; a refusal (a
// queue rule said no, or the bulk limit) is audited as "refused" in its own transaction and
// rethrown. The Next-free core of the campaign server actions (lib/actions/*campaign*.ts), the
// API and the CLI. Previews (what each would do now) come from lib/queries/campaigns
// getCampaignActionPreview; campaignActionJobs turns one into the count the bulk limit judges.
import type { Database, Sql } from "../../db/client";
import { BULK_BATCH_SIZE, recordAuditPerBatch } from "../audit/audited-batches";
import { type Actor, recordAudit } from "../audit/record";
import { type CampaignActionPreview, getCampaignActionPreview } from "../queries/campaigns";
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

/**
 * How many jobs each action writes: the number the bulk limit (JOBDECK_BULK_CONFIRM_THRESHOLD)
 * judges, in the preview, the API's dry run and the real run alike. Cancel: the jobs it cancels
 * or asks to stop. Retry failed: the item jobs it retries. Resume and repair: the batch jobs they
 * create (one; one per repair window) — the item jobs those batches enqueue later are the
 * campaign's own work, like every batch it chains by itself, and are not counted.
 */
export function campaignActionJobs(p: CampaignActionPreview): Record<CampaignAction, number> {
  return {
    resume: 1,
    retryFailed: p.retry.failed + p.retry.dead,
    repairGaps: p.repair.batches,
    cancel: p.cancel.will_cancel + p.cancel.will_request_cancel,
  };
}

export interface CampaignOpInput {
  campaignId: number;
  actor: Actor;
  reason?: string | null;
  /**
   * Called once with campaignActionJobs' count before anything changes; a throw refuses the
   * action (audited as refused). Web callers pass the bulk limit (lib/auth/bulk-limit), the
   * CLI, which holds the database credentials, passes none — as with applyBulk.
   */
  guard?: (willChange: number) => void;
}

function checkId(id: number) {
  if (!Number.isSafeInteger(id) || id < 1) throw new QueueError("invalid_input", `"${id}" is not a campaign id`);
}

/**
 * Runs `fn` in a transaction; `fn` calls `judge(q)` first to put the action's count to the guard.
 * A guard refusal or a QueueError is audited as refused (own transaction) and rethrown.
 */
async function audited<T>(db: Database, action: CampaignAction, o: CampaignOpInput, fn: (q: Sql, judge: (q: Sql) => Promise<void>) => Promise<T>): Promise<T> {
  checkId(o.campaignId);
  const limited: { refusal: { wouldChange: number; message: string } | null } = { refusal: null };
  const judge = async (q: Sql) => {
    if (!o.guard) return;
    const p = await getCampaignActionPreview(q, o.campaignId);
    if (!p) return; // the action itself says not_found
    const n = campaignActionJobs(p)[action];
    try {
      o.guard(n);
    } catch (err) {
      limited.refusal = { wouldChange: n, message: (err as Error).message };
      throw err;
    }
  };
  try {
    return await db.tx((q) => fn(q, judge));
  } catch (e) {
    const { refusal } = limited;
    if (refusal || (e instanceof QueueError && e.code !== "invalid_input")) {
      const details = refusal
        ? { campaign_id: o.campaignId, would_change: refusal.wouldChange, refused: refusal.message }
        : { campaign_id: o.campaignId, code: (e as QueueError).code, error: (e as Error).message };
      await recordAudit(db, {
        actor: o.actor,
        action: CAMPAIGN_AUDIT_ACTION[action],
        filter: { campaign_id: o.campaignId },
        affected: 0,
        reason: o.reason ?? null,
        outcome: "refused",
        details,
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
  return audited(db, "resume", o, async (q, judge) => {
    await judge(q);
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
    const step = await audited(db, "retryFailed", o, async (q, judge) => {
      // The limit judges the whole run, once, before its first batch (as applyBulk does).
      if (result.batches === 0) await judge(q);
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
  return audited(db, "repairGaps", o, async (q, judge) => {
    await judge(q);
    const r = await repairGaps(q, o.campaignId);
    // One row per 1,000 repair batches; the first carries the positions they cover.
    await recordAuditPerBatch(
      q,
      { actor: o.actor, action: CAMPAIGN_AUDIT_ACTION.repairGaps, filter: { campaign_id: o.campaignId }, reason: o.reason ?? null, outcome: "ok" },
      r.batchJobIds,
      (chunk, at) => ({
        affected: at.batch === 1 ? r.positions : 0,
        details: { campaign_id: o.campaignId, positions: r.positions, ranges: r.ranges.slice(0, 100), batch_job_ids: chunk.slice(0, 100), ...(at.batches > 1 ? at : {}) },
      }),
    );
    return { positions: r.positions, ranges: r.ranges.slice(0, 100), batch_job_ids: r.batchJobIds };
  });
}

export interface CancelCampaignResult {
  cancelled: number;
  cancel_requested: number;
}

/**
 * Stops further batches, cancels pending/retrying jobs, asks running ones to stop — in one
 * transaction with its audit rows: one per 1,000 of the jobs it changed, naming them, so each
 * child's page and `/audit?job=<id>` show the cancel.
 */
export function cancelCampaignOp(db: Database, o: CampaignOpInput): Promise<CancelCampaignResult> {
  return audited(db, "cancel", o, async (q, judge) => {
    await judge(q);
    const r = await cancelCampaign(q, o.campaignId);
    const requested = new Set(r.cancelRequestedIds);
    await recordAuditPerBatch(
      q,
      { actor: o.actor, action: CAMPAIGN_AUDIT_ACTION.cancel, filter: { campaign_id: o.campaignId }, reason: o.reason ?? null, outcome: "ok" },
      [...r.cancelledIds, ...r.cancelRequestedIds].sort((a, b) => a - b),
      (chunk, at) => {
        const asked = chunk.filter((id) => requested.has(id)).length;
        return {
          affected: chunk.length,
          details: { campaign_id: o.campaignId, cancelled: chunk.length - asked, cancel_requested: asked, ...(at.batches > 1 ? at : {}) },
        };
      },
    );
    return { cancelled: r.cancelled, cancel_requested: r.cancelRequested };
  });
}
