"use server";
// setPriorityAction: change the priority (-100..100, higher runs first) of pending and failed
// jobs, by selected jobs or everything matching a filter, on any source that can. Role: operator.
import { z } from "zod";
import { bulkTargetInput, priorityInput, reasonInput } from "../operations/inputs";
import { applyBulkDoor } from "./bulk-door";
import { operatorAction, revalidate } from "./safe-action";

const schema = bulkTargetInput.and(z.object({ priority: priorityInput, reason: reasonInput }));

export const setPriorityAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const result = await applyBulkDoor(ctx, "setPriority", input, { priority: input.priority, reason: input.reason });
    revalidate("/", "/jobs/*");
    return { result };
  },
  { name: "setPriorityAction" },
);
