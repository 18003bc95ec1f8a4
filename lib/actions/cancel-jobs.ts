"use server";
// cancelJobsAction: cancel pending and failed jobs and ask running ones to stop (where the source
// can), by selected jobs or everything matching a filter, on any source. Role: operator.
import { z } from "zod";
import { bulkTargetInput, reasonInput } from "../operations/inputs";
import { applyBulkDoor } from "./bulk-door";
import { operatorAction, revalidate } from "./safe-action";

const schema = bulkTargetInput.and(z.object({ reason: reasonInput }));

export const cancelJobsAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const result = await applyBulkDoor(ctx, "cancel", input, { reason: input.reason });
    revalidate("/", "/jobs/*", "/workers");
    return { result };
  },
  { name: "cancelJobsAction" },
);
