"use server";
// retryJobsAction: retry failed, dead and cancelled jobs (completed ones only when asked), by
// selected ids or everything matching a filter; running jobs are skipped. Role: operator.
import { z } from "zod";
import { applyBulk } from "../operations/bulk";
import { booleanInput, bulkTargetInput, reasonInput } from "../operations/inputs";
import { operatorAction, revalidate } from "./safe-action";

const schema = bulkTargetInput.and(z.object({ reason: reasonInput, includeCompleted: booleanInput }));

export const retryJobsAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const target = input.ids ? { ids: input.ids } : { filter: input.filter!, limit: input.limit };
    const result = await applyBulk(ctx.db, { action: "retry", ...target, includeCompleted: input.includeCompleted, reason: input.reason, actor: ctx.actor, guard: ctx.bulkGuard });
    revalidate("/", "/jobs/*");
    return { result };
  },
  { name: "retryJobsAction" },
);
