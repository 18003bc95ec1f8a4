"use server";
// runNowAction: make scheduled or backing-off (pending, failed) jobs ready now, by selected ids
// or everything matching a filter. Role: operator.
import { z } from "zod";
import { applyBulk } from "../operations/bulk";
import { bulkTargetInput, reasonInput } from "../operations/inputs";
import { operatorAction, revalidate } from "./safe-action";

const schema = bulkTargetInput.and(z.object({ reason: reasonInput }));

export const runNowAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const target = input.ids ? { ids: input.ids } : { filter: input.filter!, limit: input.limit };
    const result = await applyBulk(ctx.db, { action: "runNow", ...target, reason: input.reason, actor: ctx.actor, guard: ctx.bulkGuard });
    revalidate("/", "/jobs/*");
    return { result };
  },
  { name: "runNowAction" },
);
