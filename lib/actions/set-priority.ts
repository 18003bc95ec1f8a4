"use server";
// setPriorityAction: change the priority (-100..100) of pending and failed jobs, by selected ids
// or everything matching a filter. Role: operator.
import { z } from "zod";
import { applyBulk } from "../operations/bulk";
import { bulkTargetInput, priorityInput, reasonInput } from "../operations/inputs";
import { operatorAction, revalidate } from "./safe-action";

const schema = bulkTargetInput.and(z.object({ priority: priorityInput, reason: reasonInput }));

export const setPriorityAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const target = input.ids ? { ids: input.ids } : { filter: input.filter!, limit: input.limit };
    const result = await applyBulk(ctx.db, { action: "setPriority", ...target, priority: input.priority, reason: input.reason, actor: ctx.actor, guard: ctx.bulkGuard });
    revalidate("/", "/jobs/*");
    return { result };
  },
  { name: "setPriorityAction" },
);
