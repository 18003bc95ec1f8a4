"use server";
// recoverStaleAction: put stale running jobs back — selected jobs, all stale jobs, or the jobs of
// one worker once it is offline; only expired leases, unless `force` (one offline worker: its
// live leases too, audited as forced) — on any source that can. Role: operator.
import { recoverStaleJobs, type RecoverStaleResult, type RecoverTarget } from "../operations/bulk";
import { recoverStaleInput } from "../operations/inputs";
import { QueueError } from "../queue/state-machine";
import { sourceFromParam } from "../server/sources";
import { parseNativeKey } from "../sources/native";
import { operatorAction, revalidate } from "./safe-action";

export const recoverStaleAction = operatorAction(
  recoverStaleInput,
  "operator",
  async (input, ctx) => {
    const source = await sourceFromParam(input.source);
    let result: RecoverStaleResult;
    if (source.kind === "jobdeck") {
      const ids = input.ids ?? input.keys?.map((k) => Number(parseNativeKey(k) ?? Number.NaN));
      if (ids?.some((id) => !Number.isSafeInteger(id))) throw new QueueError("invalid_input", "keys must be job ids");
      const target: RecoverTarget = ids ? { ids } : input.workerId !== undefined ? { workerId: input.workerId, force: input.force === true } : { all: true };
      result = await recoverStaleJobs(ctx.db, { target, reason: input.reason, actor: ctx.actor });
    } else {
      const keys = input.keys ?? input.ids?.map(String);
      const r = await source.recoverStale(
        { target: keys ? { keys } : input.workerId !== undefined ? { workers: [input.workerId] } : { all: true }, force: input.force === true },
        { control: ctx.db, actor: ctx.actor, reason: input.reason ?? null, auditPrefix: "jobs", guard: ctx.bulkGuard },
      );
      result = {
        recovered: r.affected,
        // Where a recovered job went is the library's rule (retry, or failed): the toast says how many, not where.
        by_state: { pending: 0, dead: 0, cancelled: 0 },
        ids: [],
        ids_truncated: false,
        skipped: [],
        not_found: [],
        batches: r.auditIds.length,
      };
    }
    revalidate("/", "/stale", "/workers", "/jobs/*");
    return { result };
  },
  { name: "recoverStaleAction" },
);
