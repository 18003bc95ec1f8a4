"use server";
// resizeCeleryPoolAction: grow or shrink a Celery worker's pool by n processes (pool_grow /
// pool_shrink); the worker's reply is the outcome. Role: admin.
import { z } from "zod";
import { celerySourceConfig } from "../server/celery-sources";
import { celeryPoolDirection, celeryPoolSize, celeryReason, celerySource, celeryWorker } from "../sources/celery/inputs";
import { resizeCeleryPool } from "../sources/celery/operations";
import { operatorAction, revalidate } from "./safe-action";

const schema = z.object({ source: celerySource, worker: celeryWorker, direction: celeryPoolDirection, n: celeryPoolSize, reason: celeryReason });

export const resizeCeleryPoolAction = operatorAction(
  schema,
  "admin",
  async (input, ctx) => {
    const ctxOp = { control: ctx.db, actor: ctx.actor, reason: input.reason ?? null, auditPrefix: "celery" };
    const result = await resizeCeleryPool(celerySourceConfig(input.source), ctxOp, input.worker, input.direction, input.n);
    revalidate("/workers");
    return { result };
  },
  { name: "resizeCeleryPoolAction" },
);
