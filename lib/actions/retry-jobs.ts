"use server";
// retryJobsAction: retry failed, dead and cancelled jobs (completed ones only when asked), by
// selected jobs or everything matching a filter, on any source; running jobs are skipped.
// Role: operator.
import { z } from "zod";
import { booleanInput, bulkTargetInput, reasonInput } from "../operations/inputs";
import { applyBulkDoor } from "./bulk-door";
import { operatorAction, revalidate } from "./safe-action";

const schema = bulkTargetInput.and(z.object({ reason: reasonInput, includeCompleted: booleanInput }));

export const retryJobsAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const result = await applyBulkDoor(ctx, "retry", input, { includeCompleted: input.includeCompleted, reason: input.reason });
    revalidate("/", "/jobs/*");
    return { result };
  },
  { name: "retryJobsAction" },
);
