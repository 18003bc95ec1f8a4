// The inputs of the Celery-only operations, shared by their server actions and API routes:
// what a form or a JSON body may send, each field's refusal saying what to fix (a 400).
import { z } from "zod";
import { RATE_PATTERN, TERMINATE_SIGNALS } from "../../celery/control/commands";

const blank = (v: unknown) => (v === "" || v === null ? undefined : v);

export const celeryReason = z.preprocess(blank, z.string().trim().max(500, "reason is longer than 500 characters").optional());
export const celerySource = z.string({ message: "source is required (the Celery source's name)" }).trim().min(1, "source is required (the Celery source's name)").max(60, "source is longer than 60 characters");
export const celeryTaskKey = z.string({ message: "key is required (the task id)" }).trim().min(1, "key is required (the task id)").max(255, "a task id is at most 255 characters");
export const celeryWorker = z
  .string({ message: "worker is required (celery@host, or * for every worker)" })
  .trim()
  .min(1, "worker is required (celery@host, or * for every worker)")
  .max(255, "a worker hostname is at most 255 characters")
  .regex(/^[^\s\u0000-\u001f]+$/, "worker must be a hostname like celery@host (no spaces)");
export const celerySignal = z.preprocess(
  blank,
  z.enum(TERMINATE_SIGNALS, { message: `signal must be one of ${TERMINATE_SIGNALS.join(", ")}` }).default("SIGTERM"),
);
export const celeryTaskName = z
  .string({ message: "task_name is required (the task's registered name, like proj.tasks.add)" })
  .trim()
  .min(1, "task_name is required (the task's registered name, like proj.tasks.add)")
  .max(255, "task_name is at most 255 characters")
  .regex(/^[^\s\u0000-\u001f]+$/, "task_name must be a registered task name (no spaces)");
export const celeryRate = z
  .string({ message: 'rate is required: tasks per second ("10"), or per minute or hour ("10/m", "100/h"); "0" removes the limit' })
  .trim()
  .regex(RATE_PATTERN, 'rate must be a number of tasks, optionally per s, m or h: "10", "10/s", "100/m", "1000/h" ("0" removes the limit)');
export const celeryPoolDirection = z.enum(["grow", "shrink"], { message: 'action must be "grow" or "shrink"' });
export const celeryPoolSize = z.coerce
  .number({ message: "n must be a whole number of pool processes from 1 to 64" })
  .int("n must be a whole number of pool processes from 1 to 64")
  .min(1, "n must be at least 1")
  .max(64, "n must be at most 64");
