// Exact retry of Celery tasks: each is sent again by name, with the arguments it had as real
// values (their stored JSON, byte for byte), to the queue it was sent to, as a NEW task (Celery
// keeps one id per task: re-using it would mix two runs' events). The new id is chosen first,
// so the intent row names both tasks; once the messages are on the broker the new tasks are
// recorded at once as PENDING with retry_of = the old id (the link shows before any event
// comes), in the same control transaction as the outcome. If the broker fails part-way, the
// tasks already sent are recorded and the outcome says `partial`.
import { randomUUID } from "node:crypto";
import type { Sql } from "../../../db/client";
import { brokerErrorText } from "../../celery/control/broker-url";
import { pyRepr } from "../../celery/control/py-repr";
import { taskMessage } from "../../celery/control/task-message";
import type { BrokerClient } from "../../celery/control/transport";
import { auditedRemoteAction } from "../audited-action";
import { type ActionContext, auditActionName } from "../types";
import type { CeleryDeps } from "./actions";
import type { TaskFacts } from "./rules";

interface Resend {
  old: TaskFacts;
  newId: string;
  argsRepr: string;
  kwargsRepr: string;
}

/** Records re-sent tasks as PENDING with their link (a row the bridge made meanwhile only gains the link). */
async function recordResent(q: Sql, source: string, sent: Resend[]): Promise<void> {
  if (!sent.length) return;
  await q.query(
    `insert into celery_tasks (source, task_id, name, state, args, kwargs, args_json, kwargs_json, queue, retries, root_id, retry_of)
     select $1, x.id, x.name, 'PENDING', x.args, x.kwargs, x.args_json::jsonb, x.kwargs_json::jsonb, x.queue, 0, x.id, x.retry_of
     from jsonb_to_recordset($2::jsonb) as x(id text, name text, args text, kwargs text, args_json text, kwargs_json text, queue text, retry_of text)
     on conflict (source, task_id) do update set retry_of = coalesce(celery_tasks.retry_of, excluded.retry_of)`,
    [
      source,
      JSON.stringify(sent.map((s) => ({ id: s.newId, name: s.old.name, args: s.argsRepr, kwargs: s.kwargsRepr, args_json: s.old.args_json, kwargs_json: s.old.kwargs_json, queue: s.old.queue, retry_of: s.old.key }))),
    ],
  );
}

export async function resendTasks(d: CeleryDeps, broker: BrokerClient, tasks: TaskFacts[], ctx: ActionContext, filter: unknown) {
  const plan: Resend[] = tasks.map((t) => ({
    old: t,
    newId: randomUUID(),
    // Celery's own repr of the same values when it sent one; written from the values otherwise.
    argsRepr: t.args ?? pyRepr(JSON.parse(t.args_json!)),
    kwargsRepr: t.kwargs ?? pyRepr(JSON.parse(t.kwargs_json!)),
  }));
  const mapping = (list: Resend[]) => Object.fromEntries(list.map((p) => [p.old.key, p.newId]));
  const sent: Resend[] = [];
  return auditedRemoteAction({
    control: ctx.control,
    source: d.config.name,
    actor: ctx.actor,
    action: auditActionName(ctx.auditPrefix, "retry"),
    reason: ctx.reason,
    targetKeys: [...plan.map((p) => p.old.key), ...plan.map((p) => p.newId)],
    filter,
    details: { command: "send_task", retried_as: mapping(plan) },
    where: { broker: d.location },
    run: async () => {
      try {
        for (const p of plan) {
          await broker.sendTask(p.old.queue!, taskMessage({ taskId: p.newId, name: p.old.name!, argsJson: p.old.args_json!, kwargsJson: p.old.kwargs_json!, argsRepr: p.argsRepr, kwargsRepr: p.kwargsRepr, queue: p.old.queue! }));
          sent.push(p);
        }
      } catch (err) {
        if (!sent.length) throw err;
        const error = brokerErrorText(err);
        return { affected: sent.length, changed: sent.map((p) => p.old.key), skipped: { [`not sent: the broker failed (${error})`]: plan.length - sent.length }, outcome: "partial" as const, details: { retried_as: mapping(sent), error } };
      }
      return { affected: sent.length, changed: sent.map((p) => p.old.key), skipped: {}, details: { retried_as: mapping(sent) } };
    },
    commit: (q) => recordResent(q, d.config.name, sent),
  });
}
