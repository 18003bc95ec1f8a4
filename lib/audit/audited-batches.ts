// Runs an operator action over many job ids in bounded batches. Each batch is one short
// transaction holding the change and its audit row, so workers keep claiming while it runs
// and an interruption never leaves a change without its record.
import type { Database, Sql } from "../../db/client";
import type { BulkResult } from "../queue/operator";
import { type Actor, recordAudit } from "./record";

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
      const affected = result.affected.length + result.cancelRequested.length;
      const skipped = result.skipped.length + result.notFound.length;
      await recordAudit(q, {
        actor: audit.actor,
        action: audit.action,
        targetIds: batch,
        filter: audit.filter,
        affected,
        skipped,
        reason: audit.reason,
        outcome: skipped === 0 ? "ok" : affected === 0 ? "refused" : "partial",
        details: {
          batch: b + 1,
          batches,
          ...(result.cancelRequested.length ? { cancel_requested: result.cancelRequested } : {}),
          ...(result.skipped.length ? { skipped: result.skipped.map((s) => ({ id: s.id, state: s.state })) } : {}),
          ...(result.notFound.length ? { not_found: result.notFound } : {}),
        },
      });
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
