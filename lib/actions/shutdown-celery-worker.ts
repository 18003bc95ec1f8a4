"use server";
// shutdownCeleryWorkerAction: ask one Celery worker to shut down (`celery control shutdown`): it
// finishes its running tasks and exits; Celery sends no reply, its worker-offline event confirms
// it. Role: admin.
import { z } from "zod";
import { celerySourceConfig } from "../server/celery-sources";
import { celeryReason, celerySource, celeryWorker } from "../sources/celery/inputs";
import { shutdownCeleryWorker } from "../sources/celery/operations";
import { operatorAction, revalidate } from "./safe-action";

const schema = z.object({ source: celerySource, worker: celeryWorker, reason: celeryReason });

export const shutdownCeleryWorkerAction = operatorAction(
  schema,
  "admin",
  async (input, ctx) => {
    const ctxOp = { control: ctx.db, actor: ctx.actor, reason: input.reason ?? null, auditPrefix: "celery" };
    const result = await shutdownCeleryWorker(celerySourceConfig(input.source), ctxOp, input.worker);
    revalidate("/workers");
    return { result };
  },
  { name: "shutdownCeleryWorkerAction" },
);
