// Writes one audit_events row. Callers pass the transaction handle of the change they audit,
// so the change and its record commit together or not at all.
import type { Sql } from "../../db/client";

export interface Actor {
  /** `cli:<user>@<host>`, an email, or `token:<name>`. */
  name: string;
  roles?: readonly string[];
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  targetIds?: readonly number[] | null;
  /** The source acted on; default "jobdeck" (the native queue). */
  source?: string;
  /** A foreign source's job keys. */
  targetKeys?: readonly string[] | null;
  filter?: unknown;
  affected: number;
  skipped?: number;
  reason?: string | null;
  /** `pending`: the intent of an action on another database, written before it runs; its outcome replaces it. */
  outcome: "ok" | "partial" | "refused" | "error" | "pending" | "unknown";
  details?: unknown;
}

export async function recordAudit(q: Sql, e: AuditEntry): Promise<number> {
  const [row] = await q.query<{ id: number }>(
    `insert into audit_events (actor, roles, action, target_ids, filter, affected, skipped, reason, outcome, details, source, target_keys)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
    [
      e.actor.name,
      e.actor.roles ?? [],
      e.action,
      e.targetIds ?? null,
      e.filter === undefined ? null : JSON.stringify(e.filter),
      e.affected,
      e.skipped ?? 0,
      e.reason ?? null,
      e.outcome,
      e.details === undefined ? null : JSON.stringify(e.details),
      e.source ?? "jobdeck",
      e.targetKeys ?? null,
    ],
  );
  return row.id;
}
