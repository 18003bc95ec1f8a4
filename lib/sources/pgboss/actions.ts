// Changing pg-boss jobs: preview, apply (retry, cancel, priority, run now) and recover stale. Each
// batch of at most 500 keys is one auditedSourceAction: it checks the schema version in the same
// transaction, reads the jobs' states, calls pg-boss's own functions on a never-started instance
// whose `db` is that transaction, and reads the states again to say exactly which jobs changed.
import type { Sql } from "../../../db/client";
import { auditedSourceAction, type BatchOutcome } from "../audited-action";
import { requireFilters } from "../capabilities";
import { type ActionContext, type ActionInput, type ActionPreview, type ActionResult, CapabilityError, type RecoverInput } from "../types";
import type { JobCriteria } from "../../filters/job-filter";
import { QueueError } from "../../queue/state-machine";
import { type PgBossContext } from "./context";
import { jobKey, type JobRef, parseJobRef } from "./keys";
import { type BossLibrary, inertBoss } from "./library";
import { AUDIT_NAME, type BossCall, planFor, SKIP } from "./plan";
import { scan } from "./reads";
import { type BossSchema, lockedUntilSql } from "./schema";
import type { ScanCursor } from "./scan.sql";
import type { NativeState } from "./states";
import { UNSUPPORTED_FILTERS } from "./unsupported";

export const BATCH = 500;
export const PREVIEW_CAP = 10_000;
const KEYS_REPORTED = 1_000;

interface Found {
  state: NativeState;
  archived: boolean;
  retry_count: number;
  expired: boolean;
}

/** The jobs of `refs` as they are now (job table rows locked when `lock`); absent keys are gone. */
async function locate(s: BossSchema, q: Sql, refs: JobRef[], lock: boolean): Promise<Map<string, Found>> {
  const names = refs.map((r) => r.queue);
  const ids = refs.map((r) => r.id);
  const live = await q.query<Found & { name: string; id: string }>(
    `select j.name, j.id, j.state::text as state, false as archived, j.retry_count,
       coalesce(j.state = 'active' and ${lockedUntilSql(s, "j")} < now(), false) as expired
     from unnest($1::text[], $2::uuid[]) as k(name, id) join ${s.name}.job j on j.name = k.name and j.id = k.id${lock ? " for update of j" : ""}`,
    [names, ids],
  );
  const out = new Map(live.map((r) => [jobKey(r.name, r.id), r]));
  const missing = refs.filter((r) => !out.has(jobKey(r.queue, r.id)));
  if (s.hasArchive && missing.length) {
    const archived = await q.query<Found & { name: string; id: string }>(
      `select a.name, a.id, a.state::text as state, true as archived, a.retry_count, false as expired
       from unnest($1::text[], $2::uuid[]) as k(name, id) join ${s.name}.archive a on a.name = k.name and a.id = k.id`,
      [missing.map((r) => r.queue), missing.map((r) => r.id)],
    );
    for (const r of archived) out.set(jobKey(r.name, r.id), r);
  }
  return out;
}

function parseKeys(keys: readonly string[]): JobRef[] {
  const seen = new Map<string, JobRef>();
  for (const k of keys) {
    const ref = parseJobRef(k);
    if (!ref) throw new QueueError("invalid_input", `not a pg-boss job key: "${String(k).slice(0, 80)}" (expected <queue>:<uuid>)`);
    seen.set(jobKey(ref.queue, ref.id), ref);
  }
  return [...seen.values()];
}

const bump = (r: Record<string, number>, reason: string, n = 1) => void (r[reason] = (r[reason] ?? 0) + n);

async function assertVersion(s: BossSchema, lib: BossLibrary, q: Sql): Promise<void> {
  const [row] = await q.query<{ version: number }>(`select version from ${s.name}.version limit 1`);
  if (Number(row?.version) !== lib.schemaVersion) {
    throw new QueueError("conflict", `pg-boss schema version changed to ${row?.version} (pg-boss ${lib.version} acts on ${lib.schemaVersion}): nothing was changed`);
  }
}

function groupByQueue(refs: JobRef[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of refs) m.set(r.queue, [...(m.get(r.queue) ?? []), r.id]);
  return m;
}

/** The change of one batch of `input.action`, on transaction `q`. */
async function applyBatch(ctx: PgBossContext, s: BossSchema, lib: BossLibrary, input: ActionInput, refs: JobRef[], q: Sql): Promise<BatchOutcome> {
  await assertVersion(s, lib, q);
  const before = await locate(s, q, refs, false);
  const skipped: Record<string, number> = {};
  const calls = new Map<BossCall, JobRef[]>();
  for (const ref of refs) {
    const found = before.get(jobKey(ref.queue, ref.id));
    if (!found) bump(skipped, SKIP.notFound);
    else {
      const plan = planFor(input.action, found.state, found.archived, lib);
      if ("skip" in plan) bump(skipped, plan.skip);
      else calls.set(plan.call, [...(calls.get(plan.call) ?? []), ref]);
    }
  }
  const { boss, db } = await inertBoss(lib, s.name, q);
  const updated = new Set<string>();
  for (const [call, targets] of calls) {
    for (const [queue, ids] of groupByQueue(targets)) {
      if (call !== "update") await boss[call](queue, ids, { db });
      else {
        const change = input.action === "priority" ? { priority: input.priority } : { startAfter: 0 };
        for (const id of ids) for (const u of (await boss.update!(queue, undefined, { id, ...change, db })).jobs) updated.add(jobKey(queue, String(u)));
      }
    }
  }
  const acted = [...calls.values()].flat();
  const after = await locate(s, q, acted, false);
  const changed = acted
    .map((r) => jobKey(r.queue, r.id))
    .filter((k) => updated.has(k) || (before.get(k)?.state !== after.get(k)?.state && after.has(k)));
  if (acted.length > changed.length) bump(skipped, SKIP.changed, acted.length - changed.length);
  return { affected: changed.length, skipped, changed };
}

/** Stale jobs of one batch failed through pg-boss's fail() (its expiry's own transition: retry, or failed when none is left). */
async function recoverBatch(s: BossSchema, lib: BossLibrary, refs: JobRef[], force: boolean, q: Sql): Promise<BatchOutcome> {
  await assertVersion(s, lib, q);
  const found = await locate(s, q, refs, true);
  const skipped: Record<string, number> = {};
  const targets: (JobRef & { retryCount: number })[] = [];
  for (const ref of refs) {
    const f = found.get(jobKey(ref.queue, ref.id));
    if (!f) bump(skipped, SKIP.notFound);
    else if (f.state !== "active" || f.archived) bump(skipped, SKIP.notRunning);
    else if (!f.expired && !force) bump(skipped, SKIP.leaseHealthy);
    else targets.push({ ...ref, retryCount: Number(f.retry_count) });
  }
  const { boss, db } = await inertBoss(lib, s.name, q);
  const message = { message: `job timed out: recovered from Jobdeck${force ? " (forced)" : ""}` };
  for (const [queue] of groupByQueue(targets)) {
    const mine = targets.filter((t) => t.queue === queue);
    // 12.x fences fail() to the attempt read above (id:retry_count), as its own expiry does.
    const arg = lib.major === 12 ? mine.map((t) => ({ id: t.id, retryCount: t.retryCount })) : mine.map((t) => t.id);
    await boss.fail(queue, arg, message, { db });
  }
  const after = await locate(s, q, targets, false);
  const changed = targets.map((t) => jobKey(t.queue, t.id)).filter((k) => after.get(k)?.state !== "active");
  if (targets.length > changed.length) bump(skipped, SKIP.changed, targets.length - changed.length);
  return { affected: changed.length, skipped, changed };
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
      action: `${actx.auditPrefix}.${AUDIT_NAME[input.action]}`,
      reason: actx.reason,
      targetKeys: refs.map((r) => jobKey(r.queue, r.id)),
      filter,
      details: { library: `pg-boss ${lib.version}`, ...(input.action === "priority" ? { priority: input.priority } : {}) },
      run: (q) => applyBatch(ctx, s, lib, input, refs, q),
    });
    merge(result, o, refs.length);
  };
  if (input.target.keys) {
    const refs = parseKeys(input.target.keys);
    for (let i = 0; i < refs.length; i += BATCH) await run(refs.slice(i, i + BATCH));
    return result;
  }
  requireFilters(ctx.config.name, UNSUPPORTED_FILTERS, input.target.criteria);
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
      action: `${actx.auditPrefix}.${AUDIT_NAME.recoverStale}`,
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
  if ("keys" in target) {
    const refs = parseKeys(target.keys);
    for (let i = 0; i < refs.length; i += BATCH) await run(refs.slice(i, i + BATCH));
    return result;
  }
  let after: JobRef | null = null;
  for (;;) {
    const refs = await staleKeys(s, ctx, after);
    if (!refs.length) return result;
    await run(refs);
    if (refs.length < BATCH) return result;
    after = refs[refs.length - 1];
  }
}
