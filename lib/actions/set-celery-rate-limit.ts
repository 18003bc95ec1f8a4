"use server";
// setCeleryRateLimitAction: set a task name's rate limit on one Celery worker (or every worker:
// `*`), as `celery control rate_limit` does; the worker's reply is the outcome. Role: operator.
import { z } from "zod";
import { celerySourceConfig } from "../server/celery-sources";
import { celeryRate, celeryReason, celerySource, celeryTaskName, celeryWorker } from "../sources/celery/inputs";
import { setCeleryRateLimit } from "../sources/celery/operations";
import { operatorAction, revalidate } from "./safe-action";

const schema = z.object({ source: celerySource, worker: celeryWorker, taskName: celeryTaskName, rate: celeryRate, reason: celeryReason });

export const setCeleryRateLimitAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const ctxOp = { control: ctx.db, actor: ctx.actor, reason: input.reason ?? null, auditPrefix: "celery" };
    const result = await setCeleryRateLimit(celerySourceConfig(input.source), ctxOp, input.worker, input.taskName, input.rate);
    revalidate("/workers");
    return { result };
  },
  { name: "setCeleryRateLimitAction" },
);
