// Retry, cancel, priority and run-now on a graphile-worker source, only through graphile-worker's
// own admin functions (reschedule_jobs, permanently_fail_jobs): never an UPDATE on its tables.
// Those functions leave a job alone while a worker holds its lock (unless the lock is over 4 h
// old), so locked jobs are skipped and said so (./rules). Targets are walked in batches of
// BATCH_SIZE keys, each batch one auditedSourceAction (atomic with its audit row when the source
// lives in the control database, intent then outcome otherwise). A bulk guard is asked first,
// with the exact number of jobs that would change; its refusal is audited and changes nothing.
import { jobFilterToSearchParams } from "../../filters/job-filter";
import { auditedSourceAction, checkSourceGuard } from "../audited-action";
import type { GuestDatabase } from "../guest-db";
import { type ActionContext, type ActionInput, type ActionResult, auditActionName, type SourceAction } from "../types";
import { pusher } from "./criteria";
import { countWillChange, previewGraphileAction } from "./preview";
import { toGraphilePriority } from "./rows";
import { add, BATCH_SIZE, CLASS_SQL, classesOf, type JobClass, MAX_RETURNED_KEYS, MEANWHILE, NOT_FOUND, RULES } from "./rules";
import { matchingSql, windowEdge } from "./scan";
import { quoteIdent } from "./schema";

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
  const action = auditActionName(ctx.auditPrefix, input.action);
  // Relative time bounds are frozen at the start: the guard's count and every batch see one window.
  const [{ now }] = await d.guest.query<{ now: string }>("select now()::text as now");

  if (ctx.guard) {
    const willChange = keys ? (await previewGraphileAction(d.guest, d.schema, input, keys)).willChange : await countWillChange(d.guest, d.schema, criteria!, input.action, now);
    await checkSourceGuard({
      control: ctx.control, source: d.sourceName, actor: ctx.actor, action, reason: ctx.reason, guard: ctx.guard, willChange,
      targetKeys: keys ? keys.slice(0, MAX_RETURNED_KEYS) : null, filter, details,
    });
  }

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
      action,
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
  // A filter: walk every matching job newest first, so skips are counted exactly.
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
