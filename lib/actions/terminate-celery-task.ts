"use server";
// terminateCeleryTaskAction: stop a RUNNING Celery task — revoke with terminate, so its pool
// process gets the signal (SIGTERM unless chosen otherwise) and the worker reports it REVOKED.
// Audited intent → outcome with the worker's reply. Role: operator.
import { z } from "zod";
import { celerySourceConfig } from "../server/celery-sources";
import { celeryReason, celerySignal, celerySource, celeryTaskKey } from "../sources/celery/inputs";
import { terminateCeleryTask } from "../sources/celery/operations";
import { operatorAction, revalidate } from "./safe-action";

const schema = z.object({ source: celerySource, key: celeryTaskKey, signal: celerySignal, reason: celeryReason });

export const terminateCeleryTaskAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const result = await terminateCeleryTask(celerySourceConfig(input.source), { control: ctx.db, actor: ctx.actor, reason: input.reason ?? null, auditPrefix: "celery" }, input.key, input.signal);
    revalidate("/jobs/*", "/workers");
    return { result };
  },
  { name: "terminateCeleryTaskAction" },
);
