// Cancel and retry on a Celery source, through the broker: cancel is Celery's revoke (a pidbox
// broadcast every online worker keeps in memory and acknowledges), retry re-sends a task exactly
// (./resend). Each batch of at most 500 tasks is one intent → outcome audit row (the broker is
// outside the control database); a bulk guard is asked first with the exact number that would
// change, and its refusal is audited without anything sent.
import type { Database } from "../../../db/client";
import { revoke } from "../../celery/control/commands";
import { openBroker } from "../../celery/control/pidbox";
import type { BrokerClient } from "../../celery/control/transport";
import { jobFilterToSearchParams } from "../../filters/job-filter";
import { auditedRemoteAction, checkSourceGuard } from "../audited-action";
import type { CelerySourceConfig } from "../config";
import { type ActionContext, type ActionInput, type ActionPreview, type ActionResult, auditActionName } from "../types";
import { resendTasks } from "./resend";
import { add, checkKeys, MAX_RETURNED_KEYS, NOT_FOUND, planFor, type TaskFacts } from "./rules";
import { walkTargets } from "./walk";

export const PREVIEW_CAP = 10_000;

export interface CeleryDeps {
  control: Database;
  config: CelerySourceConfig;
  /** The broker's host and port (the audit row's `broker`). */
  location: string;
}

const targetOf = (input: ActionInput, keys: string[] | null) => (keys ? { keys } : { criteria: input.target.criteria! });

export async function previewCeleryAction(d: CeleryDeps, input: ActionInput): Promise<ActionPreview> {
  const keys = checkKeys(input, d.config.name);
  const out: ActionPreview = { matched: 0, matchedCapped: false, willChange: 0, skipped: {} };
  for await (const b of walkTargets(d.control, d.config.name, targetOf(input, keys), keys ? Infinity : PREVIEW_CAP + 1)) {
    out.matched += b.found.length + b.missing;
    add(out.skipped, NOT_FOUND, b.missing);
    for (const t of b.found) {
      const plan = planFor(input, t);
      if ("skip" in plan) add(out.skipped, plan.skip);
      else out.willChange += 1;
    }
  }
  if (!keys && out.matched > PREVIEW_CAP) Object.assign(out, { matched: PREVIEW_CAP, matchedCapped: true });
  return out;
}

/** One batch of revokes: changed when at least one worker acknowledged it (Celery replies once per worker). */
async function revokeBatch(d: CeleryDeps, broker: BrokerClient, tasks: TaskFacts[], ctx: ActionContext, filter: unknown) {
  const keys = tasks.map((t) => t.key);
  return auditedRemoteAction({
    control: ctx.control,
    source: d.config.name,
    actor: ctx.actor,
    action: auditActionName(ctx.auditPrefix, "cancel"),
    reason: ctx.reason,
    targetKeys: keys,
    filter,
    details: { command: "revoke", terminate: false },
    where: { broker: d.location },
    run: async () => {
      const r = await revoke(broker, keys);
      const details = { replies: r.replies, result: r.summary };
      if (r.replies.some((x) => x.error === null)) return { affected: keys.length, changed: keys, skipped: {}, details };
      const why = r.replies.length ? `refused by the workers: ${r.summary}` : `no worker replied within ${r.timeoutMs / 1000} s: no online worker heard the revoke`;
      return { affected: 0, changed: [], skipped: { [why]: keys.length }, details };
    },
  });
}

export async function applyCeleryAction(d: CeleryDeps, input: ActionInput, ctx: ActionContext): Promise<ActionResult> {
  const keys = checkKeys(input, d.config.name);
  const result: ActionResult = { matched: 0, affected: 0, skipped: {}, keys: [], auditIds: [] };
  const filter = keys ? undefined : Object.fromEntries(jobFilterToSearchParams(input.target.criteria!));
  const action = auditActionName(ctx.auditPrefix, input.action);
  if (ctx.guard) {
    const willChange = (await previewCeleryAction(d, input)).willChange;
    await checkSourceGuard({ control: ctx.control, source: d.config.name, actor: ctx.actor, action, reason: ctx.reason, guard: ctx.guard, willChange, targetKeys: keys, filter });
  }
  // One broker connection for the whole action, opened only once something is to be sent.
  let broker: BrokerClient | null = null;
  try {
    for await (const b of walkTargets(d.control, d.config.name, targetOf(input, keys))) {
      result.matched += b.found.length + b.missing;
      add(result.skipped, NOT_FOUND, b.missing);
      const eligible: TaskFacts[] = [];
      for (const t of b.found) {
        const plan = planFor(input, t);
        if ("skip" in plan) add(result.skipped, plan.skip);
        else eligible.push(t);
      }
      if (!eligible.length) continue;
      broker ??= await openBroker(d.config.broker);
      const o = input.action === "cancel" ? await revokeBatch(d, broker, eligible, ctx, filter) : await resendTasks(d, broker, eligible, ctx, filter);
      result.affected += o.affected;
      for (const [reason, n] of Object.entries(o.skipped)) add(result.skipped, reason, n);
      result.keys.push(...o.changed.slice(0, Math.max(0, MAX_RETURNED_KEYS - result.keys.length)));
      result.auditIds.push(o.auditId);
    }
  } finally {
    await (broker as BrokerClient | null)?.close();
  }
  return result;
}
