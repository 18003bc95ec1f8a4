// Changing pg-boss jobs: preview, apply (retry, cancel, priority, run now) and recover stale, over
// keys or everything matching a filter. Each batch of at most 500 keys is one auditedSourceAction
// running lib/sources/pgboss/batch.ts on its transaction.
import { auditedSourceAction, type BatchOutcome, checkSourceGuard } from "../audited-action";
import { requireFilters } from "../capabilities";
import { type ActionContext, type ActionInput, type ActionPreview, type ActionResult, auditActionName, CapabilityError, type RecoverInput } from "../types";
import type { JobCriteria } from "../../filters/job-filter";
import { QueueError } from "../../queue/state-machine";
import { applyBatch, bump, locate, parseKeys, recoverBatch } from "./batch";
import { type PgBossContext } from "./context";
import { jobKey, type JobRef } from "./keys";
import type { BossLibrary } from "./library";
import { planFor, SKIP } from "./plan";
import { listStale, scan } from "./reads";
import { type BossSchema, lockedUntilSql } from "./schema";
import type { ScanCursor } from "./scan.sql";
import type { NativeState } from "./states";
import { UNSUPPORTED_FILTERS } from "./unsupported";

export const BATCH = 500;
export const PREVIEW_CAP = 10_000;
const KEYS_REPORTED = 1_000;

/** The admin threshold of bulk actions, asked before anything changes (refusals audited). */
function checkGuard(ctx: PgBossContext, actx: ActionContext, action: string, willChange: number, keys: string[], filter?: JobCriteria): Promise<void> {
  return checkSourceGuard({ control: actx.control, source: ctx.config.name, actor: actx.actor, action, reason: actx.reason, guard: actx.guard, willChange, targetKeys: keys, filter });
}

/** Walks the keys of `criteria` newest first, `BATCH` at a time. */
async function* walk(ctx: PgBossContext, criteria: JobCriteria, max = Infinity): AsyncGenerator<{ ref: JobRef; state: NativeState; archived: boolean }[]> {
  let cursor: ScanCursor | undefined;
  let seen = 0;
  while (seen < max) {
    const rows = await scan(ctx, criteria, cursor, Math.min(BATCH, max - seen), "key");
    if (!rows.length) return;
    seen += rows.length;
    yield rows.map((r) => ({ ref: { queue: r.name, id: r.id }, state: r.state as NativeState, archived: r.archived }));
    const last = rows[rows.length - 1];
    cursor = { dir: "before", t: last.sort_t, id: last.id };
    if (rows.length < BATCH) return;
  }
}

function merge(into: ActionResult, o: BatchOutcome & { auditId: number }, matched: number): void {
  into.matched += matched;
  into.affected += o.affected;
  for (const [k, n] of Object.entries(o.skipped)) bump(into.skipped, k, n);
  into.keys.push(...o.changed.slice(0, Math.max(0, KEYS_REPORTED - into.keys.length)));
  into.auditIds.push(o.auditId);
}

export interface Acting {
  ctx: PgBossContext;
  s: BossSchema;
  lib: BossLibrary;
}

export async function previewAction({ ctx, s, lib }: Acting, input: ActionInput): Promise<ActionPreview> {
  const out: ActionPreview = { matched: 0, matchedCapped: false, willChange: 0, skipped: {} };
  const count = (state: NativeState | null, archived: boolean) => {
    out.matched += 1;
    const plan = state === null ? { skip: SKIP.notFound } : planFor(input.action, state, archived, lib);
    if ("skip" in plan) bump(out.skipped, plan.skip);
    else out.willChange += 1;
  };
  if (input.target.keys) {
    const refs = parseKeys(input.target.keys);
    for (let i = 0; i < refs.length; i += BATCH) {
      const found = await locate(s, ctx.db, refs.slice(i, i + BATCH), false);
      for (const r of refs.slice(i, i + BATCH)) {
        const f = found.get(jobKey(r.queue, r.id));
        count(f?.state ?? null, f?.archived ?? false);
      }
    }
    return out;
  }
  requireFilters(ctx.config.name, UNSUPPORTED_FILTERS, input.target.criteria);
  for await (const batch of walk(ctx, input.target.criteria, PREVIEW_CAP + 1)) for (const r of batch) count(r.state, r.archived);
  if (out.matched > PREVIEW_CAP) {
    // Counted one past the cap to know there is more: report the cap, as capped counts do.
    out.matched = PREVIEW_CAP;
    out.matchedCapped = true;
  }
  return out;
}

export async function applyAction({ ctx, s, lib }: Acting, input: ActionInput, actx: ActionContext): Promise<ActionResult> {
  if (input.action === "priority" && !Number.isInteger(input.priority)) throw new QueueError("invalid_input", "priority must be a whole number");
  const result: ActionResult = { matched: 0, affected: 0, skipped: {}, keys: [], auditIds: [] };
  const run = async (refs: JobRef[], filter?: JobCriteria) => {
    const o = await auditedSourceAction({
      control: actx.control,
      guest: ctx.db,
      source: ctx.config.name,
      actor: actx.actor,
      action,
      reason: actx.reason,
      targetKeys: refs.map((r) => jobKey(r.queue, r.id)),
      filter,
      details: { library: `pg-boss ${lib.version}`, ...(input.action === "priority" ? { priority: input.priority } : {}) },
      run: (q) => applyBatch(s, lib, input, refs, q),
    });
    merge(result, o, refs.length);
  };
  const action = auditActionName(actx.auditPrefix, input.action);
  if (input.target.keys) {
    const refs = parseKeys(input.target.keys);
    await checkGuard(ctx, actx, action, refs.length, refs.map((r) => jobKey(r.queue, r.id)));
    for (let i = 0; i < refs.length; i += BATCH) await run(refs.slice(i, i + BATCH));
    return result;
  }
  requireFilters(ctx.config.name, UNSUPPORTED_FILTERS, input.target.criteria);
  if (actx.guard) {
    await checkGuard(ctx, actx, action, (await previewAction({ ctx, s, lib }, input)).willChange, [], input.target.criteria);
  }
  for await (const batch of walk(ctx, input.target.criteria)) await run(batch.map((b) => b.ref), input.target.criteria);
  return result;
}

/** Active jobs past their expiry, in (name, id) order after `after`, at most BATCH. */
async function staleKeys(s: BossSchema, ctx: PgBossContext, after: JobRef | null): Promise<JobRef[]> {
  const rows = await ctx.db.query<{ name: string; id: string }>(
    `select j.name, j.id from ${s.name}.job j where j.state = 'active' and ${lockedUntilSql(s, "j")} < now()
       ${after ? "and (j.name, j.id) > ($1::text, $2::uuid)" : ""} order by j.name, j.id limit ${BATCH}`,
    after ? [after.queue, after.id] : [],
  );
  return rows.map((r) => ({ queue: r.name, id: r.id }));
}

export async function recoverStaleJobs({ ctx, s, lib }: Acting, input: RecoverInput, actx: ActionContext): Promise<ActionResult> {
  const result: ActionResult = { matched: 0, affected: 0, skipped: {}, keys: [], auditIds: [] };
  const force = input.force === true;
  const run = async (refs: JobRef[]) => {
    const o = await auditedSourceAction({
      control: actx.control,
      guest: ctx.db,
      source: ctx.config.name,
      actor: actx.actor,
      action,
      reason: actx.reason,
      targetKeys: refs.map((r) => jobKey(r.queue, r.id)),
      details: { library: `pg-boss ${lib.version}`, ...(force ? { force } : {}), ...("all" in input.target ? { all: true } : {}) },
      run: (q) => recoverBatch(s, lib, refs, force, q),
    });
    merge(result, o, refs.length);
  };
  const target = input.target;
  if ("workers" in target) {
    throw new CapabilityError(ctx.config.name, "recoverStale", "pg-boss does not record which worker holds a job: recover its stale jobs by key, or all stale jobs");
  }
  const action = auditActionName(actx.auditPrefix, "recoverStale");
  if ("keys" in target) {
    const refs = parseKeys(target.keys);
    await checkGuard(ctx, actx, action, refs.length, refs.map((r) => jobKey(r.queue, r.id)));
    for (let i = 0; i < refs.length; i += BATCH) await run(refs.slice(i, i + BATCH));
    return result;
  }
  if (actx.guard) await checkGuard(ctx, actx, action, (await listStale(ctx)).length, []);
  let after: JobRef | null = null;
  for (;;) {
    const refs = await staleKeys(s, ctx, after);
    if (!refs.length) return result;
    await run(refs);
    if (refs.length < BATCH) return result;
    after = refs[refs.length - 1];
  }
}
