// Recover stale on a graphile-worker source, through graphile-worker's force_unlock_workers: it
// releases EVERY lock a worker pool holds (jobs and named queues), so it is only for pools that
// are gone. A `workers` target is the operator's word that those pools are gone. Keys and `all`
// map to the pools holding those jobs, and without `force` only to pools whose every lock is
// past graphile-worker's 4 h mark (a pool with a younger lock may be alive: releasing its jobs
// would run them twice). A released job keeps the attempt it lost and runs again at once; one
// with no attempts left then counts as permanently failed.
import { QueueError } from "../../queue/state-machine";
import { auditedSourceAction } from "../audited-action";
import { type ActionContext, type ActionResult, auditActionName, type RecoverInput } from "../types";
import type { ApplyDeps } from "./actions";
import { MAX_RETURNED_KEYS, NOT_FOUND } from "./rules";
import { parseGraphileKey } from "./keys";
import { quoteIdent } from "./schema";
import { staleLockSql } from "./states";

const NOT_LOCKED = "not locked: nothing to recover";
const YOUNG_LOCK = "lock younger than 4 h: its worker may still be running it (recover its worker if you know it is gone, or force)";
const LIVE_POOL = "its worker also holds a lock younger than 4 h and may be alive (recover that worker if you know it is gone, or force)";

interface LockRow {
  key: string;
  worker: string | null;
  stale: boolean;
}

export async function recoverGraphileStale(d: ApplyDeps, input: RecoverInput, ctx: ActionContext): Promise<ActionResult> {
  const s = quoteIdent(d.schema);
  const force = input.force === true;
  const target = input.target;
  const skipped: Record<string, number> = {};
  const skip = (reason: string, n = 1) => {
    if (n) skipped[reason] = (skipped[reason] ?? 0) + n;
  };
  let workers: string[];
  let matched: number;
  if ("workers" in target) {
    workers = [...new Set(target.workers.map((w) => String(w).trim()))];
    if (!workers.length || workers.some((w) => !w || w.length > 200)) throw new QueueError("invalid_input", "workers must be worker ids (locked_by), like pool-1a2b3c");
    matched = (await d.guest.query<{ n: number }>(`select count(*)::int as n from ${s}.jobs j where j.locked_by = any($1::text[])`, [workers]))[0].n;
  } else {
    let rows: LockRow[];
    if ("keys" in target) {
      const keys = [...new Set(target.keys.map((k) => parseGraphileKey(String(k))))];
      if (keys.includes(null)) throw new QueueError("invalid_input", `every key must be a graphile-worker job id of source "${d.sourceName}"`);
      if (!keys.length) throw new QueueError("invalid_input", "give at least one key");
      rows = await d.guest.query<LockRow>(`select j.id::text as key, j.locked_by as worker, coalesce(${staleLockSql()}, false) as stale from ${s}.jobs j where j.id = any($1::bigint[])`, [keys]);
      skip(NOT_FOUND, keys.length - rows.length);
    } else if ((target as { all?: unknown }).all === true) {
      rows = await d.guest.query<LockRow>(`select j.id::text as key, j.locked_by as worker, ${staleLockSql()} as stale from ${s}.jobs j where ${force ? "j.locked_at is not null" : staleLockSql()}`);
    } else {
      throw new QueueError("invalid_input", "give keys, all: true, or the workers to recover");
    }
    matched = rows.length;
    const candidates: LockRow[] = [];
    for (const r of rows) {
      if (r.worker === null) skip(NOT_LOCKED);
      else if (!r.stale && !force) skip(YOUNG_LOCK);
      else candidates.push(r);
    }
    workers = [...new Set(candidates.map((r) => r.worker!))];
    if (!force && workers.length) {
      const live = new Set(
        (await d.guest.query<{ worker: string }>(`select distinct j.locked_by as worker from ${s}.jobs j where j.locked_by = any($1::text[]) and not ${staleLockSql()}`, [workers])).map((r) => r.worker),
      );
      skip(LIVE_POOL, candidates.filter((r) => live.has(r.worker!)).length);
      workers = workers.filter((w) => !live.has(w));
    }
  }
  const result: ActionResult = { matched, affected: 0, skipped, keys: [], auditIds: [] };
  if (!workers.length) return result;

  const held = (await d.guest.query<{ key: string }>(`select j.id::text as key from ${s}.jobs j where j.locked_by = any($1::text[]) order by j.id desc`, [workers])).map((r) => r.key);
  const o = await auditedSourceAction({
    control: ctx.control,
    guest: d.guest,
    source: d.sourceName,
    actor: ctx.actor,
    action: auditActionName(ctx.auditPrefix, "recoverStale"),
    reason: ctx.reason,
    targetKeys: held,
    filter: "workers" in target ? { workers } : "all" in target ? { stale: "all" } : undefined,
    details: { function: `${d.schema}.force_unlock_workers`, workers, force },
    run: async (q) => {
      // force_unlock_workers returns nothing: the jobs it releases are those the pools hold now.
      const changed = (await q.query<{ key: string }>(`select j.id::text as key from ${s}.jobs j where j.locked_by = any($1::text[]) order by j.id desc`, [workers])).map((r) => r.key);
      await q.query(`select ${s}.force_unlock_workers($1::text[])`, [workers]);
      return { affected: changed.length, changed, skipped: {} };
    },
  });
  return { ...result, affected: o.affected, keys: o.changed.slice(0, MAX_RETURNED_KEYS), auditIds: [o.auditId] };
}
