// Runs an operator action over many job ids in bounded batches. Each batch is one short
// transaction holding the change and its audit row, so workers keep claiming while it runs
// and an interruption never leaves a change without its record.
import type { Database, Sql } from "../../db/client";
import type { BulkResult } from "../queue/operator";
import { type Actor, type AuditEntry, recordAudit } from "./record";

export const BULK_BATCH_SIZE = 1_000;

export interface AuditedAction {
  actor: Actor;
  action: string;
  reason?: string | null;
  filter?: unknown;
}

export async function runAuditedBatches(
  db: Database,
  ids: readonly number[],
  audit: AuditedAction,
  op: (q: Sql, batch: number[]) => Promise<BulkResult>,
  onProgress?: (done: number, total: number) => void,
): Promise<BulkResult> {
  const unique = [...new Set(ids)];
  const total: BulkResult = { affected: [], cancelRequested: [], skipped: [], notFound: [] };
  // Nothing to change, nothing to record: the caller reports "0 matched" itself.
  if (!unique.length) return total;
  const batches = Math.ceil(unique.length / BULK_BATCH_SIZE);
  for (let b = 0; b < batches; b++) {
    const batch = unique.slice(b * BULK_BATCH_SIZE, (b + 1) * BULK_BATCH_SIZE);
    const r = await db.tx(async (q) => {
      const result = await op(q, batch);
      await recordBatchAudit(q, audit, batch, result, { batch: b + 1, batches });
      return result;
    });
    total.affected.push(...r.affected);
    total.cancelRequested.push(...r.cancelRequested);
    total.skipped.push(...r.skipped);
    total.notFound.push(...r.notFound);
    onProgress?.(Math.min(unique.length, (b + 1) * BULK_BATCH_SIZE), unique.length);
  }
  return total;
}

/**
 * The audit row of one batch, written with the batch's transaction handle: affected and skipped
 * counts, outcome, and which ids were skipped (with their state), requested to cancel or missing.
 */
export async function recordBatchAudit(
  q: Sql,
  audit: AuditedAction,
  batch: readonly number[],
  result: BulkResult,
  position: { batch: number; batches?: number },
): Promise<number> {
  const affected = result.affected.length + result.cancelRequested.length;
  const skipped = result.skipped.length + result.notFound.length;
  return recordAudit(q, {
    actor: audit.actor,
    action: audit.action,
    targetIds: batch,
    filter: audit.filter,
    affected,
    skipped,
    reason: audit.reason,
    outcome: skipped === 0 ? "ok" : affected === 0 ? "refused" : "partial",
    details: {
      ...position,
      ...(result.cancelRequested.length ? { cancel_requested: result.cancelRequested } : {}),
      ...(result.skipped.length ? { skipped: result.skipped.map((s) => ({ id: s.id, state: s.state })) } : {}),
      ...(result.notFound.length ? { not_found: result.notFound } : {}),
    },
  });
}

/**
 * The audit rows of one change that touched `ids` inside a single transaction (a campaign cancel):
 * one row per BULK_BATCH_SIZE ids, at least one, written with that transaction's handle. Each job
 * stays findable by its id (target_ids, `/audit?job=` and its page) and no row grows unbounded.
 * `row` gives each row's affected count and details from its ids.
 */
export async function recordAuditPerBatch(
  q: Sql,
  entry: Omit<AuditEntry, "targetIds" | "affected" | "details">,
  ids: readonly number[],
  row: (chunk: number[], position: { batch: number; batches: number }) => { affected: number; details: Record<string, unknown> },
): Promise<void> {
  const batches = Math.max(1, Math.ceil(ids.length / BULK_BATCH_SIZE));
  for (let b = 0; b < batches; b++) {
    const chunk = ids.slice(b * BULK_BATCH_SIZE, (b + 1) * BULK_BATCH_SIZE);
    const { affected, details } = row(chunk, { batch: b + 1, batches });
    await recordAudit(q, { ...entry, targetIds: chunk.length ? chunk : null, affected, details });
  }
}
