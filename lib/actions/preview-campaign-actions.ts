"use server";
// previewCampaignActionsAction: what each campaign action would do now — the counts shown in the
// confirm dialog, why an action would be refused (a batch still open, nothing missing), and
// whether the caller may run it under the bulk limit (the count campaignActionJobs gives, the
// same the real action is judged by). Changes nothing. Role: operator (only operators can run
// what it previews).
import { z } from "zod";
import { bulkConfirmThreshold, mayChangeJobs } from "../auth/bulk-limit";
import { CAMPAIGN_ACTIONS, type CampaignAction, campaignActionJobs } from "../operations/campaigns";
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
    const threshold = bulkConfirmThreshold();
    const jobs = campaignActionJobs(preview);
    const allowed = Object.fromEntries(CAMPAIGN_ACTIONS.map((a) => [a, mayChangeJobs(ctx.caller, jobs[a], threshold)])) as Record<CampaignAction, boolean>;
    return { preview, limits: { threshold, jobs, allowed } };
  },
  { name: "previewCampaignActionsAction" },
);
