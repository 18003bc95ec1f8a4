"use server";
// previewBulkAction: exact counts of what a bulk action would change and skip (running jobs are
// never retried), on any source, shown in the confirm dialog before it runs. Changes nothing.
// Role: operator (only operators can run what it previews).
import { bulkConfirmThreshold, mayChangeJobs } from "../auth/bulk-limit";
import { previewBulkInput } from "../operations/inputs";
import { previewBulkDoor } from "./bulk-door";
import { operatorAction } from "./safe-action";

export const previewBulkAction = operatorAction(
  previewBulkInput,
  "operator",
  async (input, ctx) => {
    const { preview, count } = await previewBulkDoor(ctx, input.action, input, { includeCompleted: input.includeCompleted, priority: input.priority ?? 0 });
    const threshold = bulkConfirmThreshold();
    // The dialog says up front when the run would be refused: the same count the real run's guard is given.
    return { preview, allowed: mayChangeJobs(ctx.caller, count, threshold), threshold, count };
  },
  { name: "previewBulkAction" },
);
