// A task message in Celery's protocol 2 (celery/app/amqp.py as_task_v2), as `send_task` puts it
// on a queue: headers {lang, task, id, shadow, eta, expires, group, group_index, retries,
// timelimit, root_id, parent_id, argsrepr, kwargsrepr, origin, ignore_result}, properties
// {correlation_id, reply_to}, body [args, kwargs, {callbacks, errbacks, chain, chord}].
// Jobdeck sends one only to re-send a task exactly: by name, with the arguments it had, as a new
// task of its own (a new id that is its own root, no ETA, no expiry, no parent).
import os from "node:os";
import type { KombuMessage } from "./envelope";

export interface TaskToSend {
  taskId: string;
  name: string;
  /** JSON text of the positional arguments (an array) and keyword arguments (an object), sent as they are. */
  argsJson: string;
  kwargsJson: string;
  /** Celery's repr of them (shown by workers and in events). */
  argsRepr: string;
  kwargsRepr: string;
  queue: string;
}

/** Who sent it (Celery writes gen<pid>@<host> for a client): shown in the worker's request. */
export const ORIGIN = `jobdeck-${process.pid}@${os.hostname()}`;

export function taskMessage(t: TaskToSend): KombuMessage {
  return {
    body: null,
    bodyJson: `[${t.argsJson}, ${t.kwargsJson}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]`,
    headers: {
      lang: "py",
      task: t.name,
      id: t.taskId,
      shadow: null,
      eta: null,
      expires: null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [null, null],
      root_id: t.taskId,
      parent_id: null,
      argsrepr: t.argsRepr,
      kwargsrepr: t.kwargsRepr,
      origin: ORIGIN,
      ignore_result: false,
    },
    properties: { correlation_id: t.taskId, reply_to: "" },
    deliveryMode: 2,
    // The default exchange, routed by queue name: what send_task did for the original (delivery_info {exchange: "", routing_key: queue}).
    exchange: "",
    routingKey: t.queue,
  };
}
