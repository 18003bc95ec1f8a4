"use server";
// previewBulkAction: exact counts of what a bulk action would change and skip (by state;
// running jobs are never retried), shown in the confirm dialog before it runs. Changes nothing.
// Role: operator (only operators can run what it previews).
import { bulkConfirmThreshold, mayChangeJobs } from "../auth/bulk-limit";
import { bulkLimitCount, previewBulk } from "../operations/bulk";
import { previewBulkInput } from "../operations/inputs";
import { operatorAction } from "./safe-action";

export const previewBulkAction = operatorAction(
  previewBulkInput,
  "operator",
  async (input, ctx) => {
    const target = input.ids ? { ids: input.ids } : { filter: input.filter!, limit: input.limit };
    const preview = await previewBulk(ctx.db, { action: input.action, ...target, includeCompleted: input.includeCompleted, priority: input.priority ?? 0 });
    const threshold = bulkConfirmThreshold();
    // The dialog says up front when the run would be refused (more than the threshold needs admin).
    const count = bulkLimitCount(target, preview);
    return { preview, allowed: mayChangeJobs(ctx.caller, count, threshold), threshold, count };
  },
  { name: "previewBulkAction" },
);
