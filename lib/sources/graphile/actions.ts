// Retry, cancel, priority and run-now on a graphile-worker source, only through graphile-worker's
// own admin functions (reschedule_jobs, permanently_fail_jobs): never an UPDATE on its tables.
// Those functions leave a job alone while a worker holds its lock (unless the lock is over 4 h
// old), so locked jobs are skipped and said so. Targets are walked in batches of BATCH_SIZE
// keys, each batch one auditedSourceAction (atomic with its audit row when the source lives in
// the control database, intent then outcome otherwise); preview counts exactly what apply does.
import type { Sql } from "../../../db/client";
import { jobFilterToSearchParams } from "../../filters/job-filter";
import { QueueError } from "../../queue/state-machine";
import { auditedSourceAction } from "../audited-action";
import type { GuestDatabase } from "../guest-db";
import type { ActionContext, ActionInput, ActionPreview, ActionResult, SourceAction } from "../types";
import { pusher } from "./criteria";
import { parseGraphileKey } from "./keys";
import { toGraphilePriority } from "./rows";
import { matchingSql, windowEdge } from "./scan";
import { quoteIdent } from "./schema";
import { actionClassSql } from "./states";

export const BATCH_SIZE = 500;
/** A filter's preview counts at most this many matching jobs (labelled capped beyond, or when a payload window ran out). */
export const PREVIEW_CAP = 100_000;
/** At most this many changed keys are returned; counts are always exact. */
export const MAX_RETURNED_KEYS = 10_000;
/** graphile-worker stores priority as a smallint. */
const PRIORITY_LIMIT = 32_767;

/** What an action may find a job as: Jobdeck's states, with stale locks apart. */
type JobClass = "pending" | "failed" | "dead" | "running" | "stale";

const CLASS_SQL = actionClassSql();

const LOCKED = "running: graphile-worker's functions leave a job alone while a worker holds its lock";
const STALE = "stale lock (over 4 h): recover it first";
export const NOT_FOUND = "not found: graphile-worker deletes a job once it completes";
const MEANWHILE = "changed meanwhile: a worker locked or finished it";

const RULES: Record<SourceAction, { change: JobClass[]; skip: Partial<Record<JobClass, string>> }> = {
  retry: { change: ["failed", "dead"], skip: { pending: "pending: it has not failed (use run now)", running: LOCKED, stale: STALE } },
  cancel: { change: ["pending", "failed"], skip: { dead: "already permanently failed", running: LOCKED, stale: STALE } },
  priority: { change: ["pending", "failed"], skip: { dead: "permanently failed: retry it first", running: LOCKED, stale: STALE } },
  runNow: { change: ["pending", "failed"], skip: { dead: "permanently failed: retry it to run it again", running: LOCKED, stale: STALE } },
};

/** Throws QueueError (a 400) for a malformed input; returns the distinct keys, newest first. */
export function checkInput(input: ActionInput, sourceName: string): string[] | null {
  if (!Object.hasOwn(RULES, input.action)) throw new QueueError("invalid_input", `unknown action "${String(input.action)}"`);
  if (input.action === "priority") {
    const p = input.priority;
    if (typeof p !== "number" || !Number.isInteger(p) || Math.abs(p) > PRIORITY_LIMIT) {
      throw new QueueError("invalid_input", `priority must be a whole number from -${PRIORITY_LIMIT} to ${PRIORITY_LIMIT} (higher runs first)`);
    }
  }
  if ((input.target.keys === undefined) === (input.target.criteria === undefined)) throw new QueueError("invalid_input", "give either keys or a filter");
  if (!input.target.keys) return null;
  const keys = new Set<string>();
  for (const raw of input.target.keys) {
    const k = parseGraphileKey(String(raw));
    if (k === null) throw new QueueError("invalid_input", `"${String(raw).slice(0, 40)}" is not a job of source "${sourceName}" (a graphile-worker job id)`);
    keys.add(k);
  }
  return [...keys].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0));
}

const add = (into: Record<string, number>, reason: string, n = 1) => {
  if (n) into[reason] = (into[reason] ?? 0) + n;
};

async function classesOf(q: Sql, schema: string, keys: readonly string[]): Promise<Map<string, JobClass>> {
  const rows = await q.query<{ key: string; class: JobClass }>(`select j.id::text as key, ${CLASS_SQL} as class from ${quoteIdent(schema)}.jobs j where j.id = any($1::bigint[])`, [keys]);
  return new Map(rows.map((r) => [r.key, r.class]));
}

export async function previewGraphileAction(q: Sql, schema: string, input: ActionInput, keys: string[] | null): Promise<ActionPreview> {
  const rule = RULES[input.action];
  const skipped: Record<string, number> = {};
  let willChange = 0;
  const tally = (c: JobClass, n: number) => {
    if (rule.change.includes(c)) willChange += n;
    else add(skipped, rule.skip[c]!, n);
  };
  if (keys) {
    let found = 0;
    for (let i = 0; i < keys.length; i += BATCH_SIZE) {
      for (const c of (await classesOf(q, schema, keys.slice(i, i + BATCH_SIZE))).values()) {
        found++;
        tally(c, 1);
      }
    }
    add(skipped, NOT_FOUND, keys.length - found);
    return { matched: found, matchedCapped: false, willChange, skipped };
  }
  const criteria = input.target.criteria!;
  const params: unknown[] = [];
  const p = pusher(params);
  const { sql, windowed } = matchingSql(schema, criteria, p, `j.id, ${CLASS_SQL} as class`, {}, PREVIEW_CAP + 1);
  const rows = await q.query<{ class: JobClass; n: number; total: number }>(
    `select x.class, count(*) filter (where x.rn <= ${p(PREVIEW_CAP)})::int as n, count(*)::int as total
     from (select m.class, row_number() over (order by m.id desc) as rn from (${sql}) m) x
     group by 1`,
    params,
  );
  const total = rows.reduce((a, r) => a + Number(r.total), 0);
  for (const r of rows) tally(r.class, Number(r.n));
  const capped = total > PREVIEW_CAP || (windowed && (await windowEdge(q, schema, criteria, {})) !== null);
  return { matched: Math.min(total, PREVIEW_CAP), matchedCapped: capped, willChange, skipped };
}

/** The admin-function call of an action over `$1` (the ids); returns the ids it changed. */
function callSql(schema: string, action: SourceAction): string {
  const s = quoteIdent(schema);
  switch (action) {
    case "retry":
      return `select id::text as key from ${s}.reschedule_jobs($1::bigint[], run_at => now(), attempts => 0)`;
    case "cancel":
      return `select id::text as key from ${s}.permanently_fail_jobs($1::bigint[], $2::text)`;
    case "priority":
      return `select id::text as key from ${s}.reschedule_jobs($1::bigint[], priority => $2::int)`;
    case "runNow":
      return `select id::text as key from ${s}.reschedule_jobs($1::bigint[], run_at => now())`;
  }
}

const FUNCTION: Record<SourceAction, string> = { retry: "reschedule_jobs", cancel: "permanently_fail_jobs", priority: "reschedule_jobs", runNow: "reschedule_jobs" };

export interface ApplyDeps {
  guest: GuestDatabase;
  sourceName: string;
  schema: string;
}

export async function applyGraphileAction(d: ApplyDeps, input: ActionInput, keys: string[] | null, ctx: ActionContext): Promise<ActionResult> {
  const rule = RULES[input.action];
  const result: ActionResult = { matched: 0, affected: 0, skipped: {}, keys: [], auditIds: [] };
  const criteria = input.target.criteria;
  const cancelMessage = `Cancelled in Jobdeck by ${ctx.actor.name}${ctx.reason ? `: ${ctx.reason}` : ""}`;
  const extraArg = input.action === "cancel" ? [cancelMessage] : input.action === "priority" ? [toGraphilePriority(input.priority!)] : [];
  const details = {
    function: `${d.schema}.${FUNCTION[input.action]}`,
    ...(input.action === "priority" ? { priority: input.priority, graphile_priority: toGraphilePriority(input.priority!) } : {}),
  };
  const filter = criteria ? Object.fromEntries(jobFilterToSearchParams(criteria)) : undefined;

  // One batch: the keys found in it by class; the change re-checks them in its own transaction.
  const runBatch = async (found: Map<string, JobClass>) => {
    result.matched += found.size;
    const eligible: string[] = [];
    for (const [key, c] of found) {
      if (rule.change.includes(c)) eligible.push(key);
      else add(result.skipped, rule.skip[c]!);
    }
    if (!eligible.length) return;
    const o = await auditedSourceAction({
      control: ctx.control,
      guest: d.guest,
      source: d.sourceName,
      actor: ctx.actor,
      action: `${ctx.auditPrefix}.${input.action}`,
      reason: ctx.reason,
      targetKeys: eligible,
      filter,
      details,
      run: async (q) => {
        const still = [...(await classesOf(q, d.schema, eligible))].filter(([, c]) => rule.change.includes(c)).map(([k]) => k);
        const changed = still.length ? (await q.query<{ key: string }>(callSql(d.schema, input.action), [still, ...extraArg])).map((r) => r.key) : [];
        const skipped: Record<string, number> = {};
        add(skipped, MEANWHILE, eligible.length - changed.length);
        return { affected: changed.length, changed, skipped };
      },
    });
    result.affected += o.affected;
    for (const [reason, n] of Object.entries(o.skipped)) add(result.skipped, reason, n);
    result.keys.push(...o.changed.slice(0, Math.max(0, MAX_RETURNED_KEYS - result.keys.length)));
    result.auditIds.push(o.auditId);
  };

  if (keys) {
    for (let i = 0; i < keys.length; i += BATCH_SIZE) {
      const chunk = keys.slice(i, i + BATCH_SIZE);
      const found = await classesOf(d.guest, d.schema, chunk);
      add(result.skipped, NOT_FOUND, chunk.length - found.size);
      await runBatch(found);
    }
    return result;
  }
  // A filter: walk every matching job newest first (so skips are counted exactly), relative
  // time bounds frozen at the start so every batch sees the same window.
  const [{ now }] = await d.guest.query<{ now: string }>("select now()::text as now");
  let before: string | undefined;
  for (;;) {
    const params: unknown[] = [];
    const cursor = { before, frozenNow: now };
    const { sql, windowed } = matchingSql(d.schema, criteria!, pusher(params), `j.id::text as key, ${CLASS_SQL} as class`, cursor, BATCH_SIZE);
    const rows = await d.guest.query<{ key: string; class: JobClass }>(sql, params);
    if (rows.length) await runBatch(new Map(rows.map((r) => [r.key, r.class])));
    if (rows.length === BATCH_SIZE) before = rows[rows.length - 1].key;
    else {
      // Fewer than a batch: the jobs ended, or a payload window did (then scan on from its edge).
      const edge = windowed ? await windowEdge(d.guest, d.schema, criteria!, cursor) : null;
      if (edge === null) break;
      before = edge;
    }
  }
  return result;
}
