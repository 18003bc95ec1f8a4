"use server";
// previewCampaignActionsAction: what each campaign action would do now — the counts shown in the
// confirm dialog, and why an action would be refused (a batch still open, nothing missing).
// Changes nothing. Role: operator (only operators can run what it previews).
import { z } from "zod";
import { getCampaignActionPreview } from "../queries/campaigns";
import { QueueError } from "../queue/state-machine";
import { operatorAction } from "./safe-action";

const schema = z.object({ campaignId: z.coerce.number().int().positive("campaignId must be a campaign id") });

export const previewCampaignActionsAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const preview = await getCampaignActionPreview(ctx.db, input.campaignId);
    if (!preview) throw new QueueError("not_found", `campaign ${input.campaignId} does not exist`);
    return { preview };
  },
  { name: "previewCampaignActionsAction" },
);
