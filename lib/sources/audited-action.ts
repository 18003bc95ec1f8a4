// Every change to a foreign source's jobs, with its audit row. When the source's tables live in
// the control database the change and its row commit in one transaction, as native actions do.
// When they live elsewhere no transaction spans both, so the intent is written first (outcome
// `pending`), the change runs in the source's own transaction, and the outcome replaces the
// intent; a process that dies between the two leaves `pending`, which reconcilePendingAudit()
// turns into `unknown`. Either way nothing changes without an audit row. A change that is not in
// a database at all (a Celery broker: remote control, a re-sent task) takes the same intent →
// outcome path through auditedRemoteAction().
import type { Database, Sql } from "../../db/client";
import { type Actor, recordAudit } from "../audit/record";
import type { GuestDatabase } from "./guest-db";

export interface BatchOutcome {
  affected: number;
  /** Skipped jobs by reason. */
  skipped: Record<string, number>;
  /** Keys that changed. */
  changed: string[];
}

export interface AuditedActionInput {
  control: Database;
  guest: GuestDatabase;
  source: string;
  actor: Actor;
  /** Full audit action name: `jobs.retry`, `api.jobs.cancel`, ... */
  action: string;
  reason: string | null;
  /** The keys this batch targets. */
  targetKeys: readonly string[];
  /** The filter the operator chose, when the target was a filter. */
  filter?: unknown;
  details?: Record<string, unknown>;
  /** The change itself, through the library's own functions, on the transaction it is given. */
  run: (q: Sql) => Promise<BatchOutcome>;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export async function auditedSourceAction(i: AuditedActionInput): Promise<BatchOutcome & { auditId: number }> {
  const base = { actor: i.actor, action: i.action, source: i.source, targetKeys: i.targetKeys, filter: i.filter, reason: i.reason };
  const details = (o: BatchOutcome) => ({ ...i.details, ...(sum(o.skipped) ? { skipped_by_reason: o.skipped } : {}) });
  if (i.guest.sameAsControl) {
    return i.control.tx(async (q) => {
      const o = await i.run(q);
      const auditId = await recordAudit(q, { ...base, affected: o.affected, skipped: sum(o.skipped), outcome: "ok", details: details(o) });
      return { ...o, auditId };
    });
  }
  const o = await auditedRemoteAction({ ...base, control: i.control, details: i.details, where: { database: i.guest.location }, run: () => i.guest.tx(i.run) });
  return { affected: o.affected, skipped: o.skipped, changed: o.changed, auditId: o.auditId };
}

export interface RemoteOutcome extends BatchOutcome {
  /** ok unless said otherwise: `partial` (part of it happened, then it failed), `unknown` (sent, but nobody confirmed it). */
  outcome?: "ok" | "partial" | "unknown";
  /** Merged into the audit row's details (what the other system answered). */
  details?: Record<string, unknown>;
}

export interface RemoteActionInput {
  control: Database;
  source: string;
  actor: Actor;
  action: string;
  reason: string | null;
  targetKeys: readonly string[] | null;
  filter?: unknown;
  details?: Record<string, unknown>;
  /** Where the change happens, for the intent's details: `{ database: … }`, `{ broker: … }` (never a password). */
  where: Record<string, string>;
  /** The change, outside the control database. */
  run: () => Promise<RemoteOutcome>;
  /** Control-database writes that belong with the outcome: committed in the same transaction as it. */
  commit?: (q: Sql, o: RemoteOutcome) => Promise<void>;
}

/**
 * A change outside the control database with its audit row: the intent first (outcome
 * `pending`), then the change, then its outcome (and `commit`'s rows) in one control
 * transaction. A failed change is recorded as `error` with its first line, and rethrown.
 */
export async function auditedRemoteAction(i: RemoteActionInput): Promise<RemoteOutcome & { auditId: number }> {
  const base = { actor: i.actor, action: i.action, source: i.source, targetKeys: i.targetKeys, filter: i.filter, reason: i.reason };
  const auditId = await recordAudit(i.control, { ...base, affected: 0, outcome: "pending", details: { ...i.details, ...i.where } });
  let o: RemoteOutcome;
  try {
    o = await i.run();
  } catch (err) {
    const message = String((err as Error)?.message ?? err).split("\n")[0].slice(0, 500);
    await i.control.query(`update audit_events set outcome = 'error', details = coalesce(details, '{}'::jsonb) || $2::jsonb where id = $1`, [
      auditId,
      JSON.stringify({ error: message }),
    ]);
    throw err;
  }
  const details = { ...o.details, ...(sum(o.skipped) ? { skipped_by_reason: o.skipped } : {}) };
  await i.control.tx(async (q) => {
    await i.commit?.(q, o);
    await q.query(`update audit_events set outcome = $2, affected = $3, skipped = $4, details = coalesce(details, '{}'::jsonb) || $5::jsonb where id = $1`, [
      auditId,
      o.outcome ?? "ok",
      o.affected,
      sum(o.skipped),
      JSON.stringify(details),
    ]);
  });
  return { ...o, auditId };
}

/**
 * Intents older than `olderThanSeconds` whose outcome never arrived (the process died between
 * the change and its outcome): marked `unknown`, so the audit log says "we do not know" rather
 * than pretending. Returns how many it marked.
 */
export async function reconcilePendingAudit(q: Sql, olderThanSeconds = 300): Promise<number> {
  const rows = await q.query<{ id: number }>(
    `update audit_events set outcome = 'unknown',
       details = coalesce(details, '{}'::jsonb) || jsonb_build_object('reconciled_at', now(), 'note', 'the outcome was never recorded: check the job in its source')
     where outcome = 'pending' and at < now() - make_interval(secs => $1) returning id`,
    [olderThanSeconds],
  );
  return rows.length;
}

export interface GuardInput {
  control: Database;
  source: string;
  actor: Actor;
  action: string;
  reason: string | null;
  guard: ((willChange: number) => void) | undefined;
  willChange: number;
  targetKeys?: readonly string[] | null;
  filter?: unknown;
  details?: Record<string, unknown>;
}

/**
 * Asks the caller's guard (the admin threshold of bulk actions) before anything changes; a
 * refusal is written to the audit log as `refused`, with how many jobs it would have changed,
 * and rethrown. The same rule and row as the native bulk actions (lib/operations/bulk).
 */
export async function checkSourceGuard(g: GuardInput): Promise<void> {
  if (!g.guard) return;
  try {
    g.guard(g.willChange);
  } catch (err) {
    await recordAudit(g.control, {
      actor: g.actor,
      action: g.action,
      source: g.source,
      targetKeys: g.targetKeys?.slice(0, 1_000) ?? null,
      filter: g.filter,
      affected: 0,
      reason: g.reason,
      outcome: "refused",
      details: { ...g.details, would_change: g.willChange, refused: String((err as Error)?.message ?? err) },
    });
    throw err;
  }
}
