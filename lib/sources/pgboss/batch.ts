// One batch of changes to pg-boss jobs, on the transaction auditedSourceAction hands it: check the
// schema version, read the jobs' states, call pg-boss's own functions on a never-started instance
// whose `db` is that transaction, and read the states again to say exactly which jobs changed.
import type { Sql } from "../../../db/client";
import type { BatchOutcome } from "../audited-action";
import type { ActionInput } from "../types";
import { QueueError } from "../../queue/state-machine";
import { jobKey, type JobRef, parseJobRef } from "./keys";
import { type BossLibrary, inertBoss } from "./library";
import { type BossCall, planFor, SKIP } from "./plan";
import { type BossSchema, lockedUntilSql } from "./schema";
import type { NativeState } from "./states";

interface Found {
  state: NativeState;
  archived: boolean;
  retry_count: number;
  expired: boolean;
}

/** The jobs of `refs` as they are now (job table rows locked when `lock`); absent keys are gone. */
export async function locate(s: BossSchema, q: Sql, refs: JobRef[], lock: boolean): Promise<Map<string, Found>> {
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

export function parseKeys(keys: readonly string[]): JobRef[] {
  const seen = new Map<string, JobRef>();
  for (const k of keys) {
    const ref = parseJobRef(k);
    if (!ref) throw new QueueError("invalid_input", `not a pg-boss job key: "${String(k).slice(0, 80)}" (expected <queue>:<uuid>)`);
    seen.set(jobKey(ref.queue, ref.id), ref);
  }
  return [...seen.values()];
}

export const bump = (r: Record<string, number>, reason: string, n = 1) => void (r[reason] = (r[reason] ?? 0) + n);

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
export async function applyBatch(s: BossSchema, lib: BossLibrary, input: ActionInput, refs: JobRef[], q: Sql): Promise<BatchOutcome> {
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
export async function recoverBatch(s: BossSchema, lib: BossLibrary, refs: JobRef[], force: boolean, q: Sql): Promise<BatchOutcome> {
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
