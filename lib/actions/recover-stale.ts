"use server";
// recoverStaleAction: put stale running jobs back to pending — selected ids, all stale jobs, or the
// jobs of one worker once it is offline; only expired leases, unless `force` (one offline worker:
// its live leases too, audited as forced). Role: operator.
import { recoverStaleJobs, type RecoverTarget } from "../operations/bulk";
import { recoverStaleInput } from "../operations/inputs";
import { operatorAction, revalidate } from "./safe-action";

export const recoverStaleAction = operatorAction(
  recoverStaleInput,
  "operator",
  async (input, ctx) => {
    const target: RecoverTarget = input.ids ? { ids: input.ids } : input.workerId !== undefined ? { workerId: input.workerId, force: input.force === true } : { all: true };
    const result = await recoverStaleJobs(ctx.db, { target, reason: input.reason, actor: ctx.actor });
    revalidate("/", "/stale", "/workers", "/jobs/*");
    return { result };
  },
  { name: "recoverStaleAction" },
);
