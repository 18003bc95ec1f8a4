"use server";
// previewWorkerRecoveryAction: what "Recover its jobs" would do to one worker now — whether it is
// offline, how many of its running jobs have an expired lease (recovered by default) and how many
// are still leased, until when (released only when forced). Changes nothing. Role: operator (only
// operators can run what it previews).
import { z } from "zod";
import { workerLeaseSummary } from "../queries/workers";
import { QueueError } from "../queue/state-machine";
import { operatorAction } from "./safe-action";

const schema = z.object({ workerId: z.string().trim().min(1, "workerId is empty").max(200, "workerId is longer than 200 characters") });

export const previewWorkerRecoveryAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const summary = await workerLeaseSummary(ctx.db, input.workerId);
    if (!summary) throw new QueueError("not_found", `worker ${input.workerId} is not registered`);
    return { summary };
  },
  { name: "previewWorkerRecoveryAction" },
);
