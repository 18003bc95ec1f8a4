"use server";
// runNowAction: make scheduled or backing-off (pending, failed) jobs ready now, by selected jobs
// or everything matching a filter, on any source that can. Role: operator.
import { z } from "zod";
import { bulkTargetInput, reasonInput } from "../operations/inputs";
import { applyBulkDoor } from "./bulk-door";
import { operatorAction, revalidate } from "./safe-action";

const schema = bulkTargetInput.and(z.object({ reason: reasonInput }));

export const runNowAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const result = await applyBulkDoor(ctx, "runNow", input, { reason: input.reason });
    revalidate("/", "/jobs/*");
    return { result };
  },
  { name: "runNowAction" },
);
