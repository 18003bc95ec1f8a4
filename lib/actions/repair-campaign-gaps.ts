"use server";
// repairCampaignGapsAction: enqueue repair batches for the missing positions below next_start_position, only those. Role: operator; over
// JOBDECK_BULK_CONFIRM_THRESHOLD jobs (campaignActionJobs) admin. Audited in the transaction that
// makes the change; a refusal is audited as refused and returned as { ok: false, code, error }.
import { z } from "zod";
import { bulkGuard, CAMPAIGN_LIMIT_HINT } from "../auth/bulk-limit";
import { repairGapsOp } from "../operations/campaigns";
import { reasonInput } from "../operations/inputs";
import { operatorAction, revalidate } from "./safe-action";

const schema = z.object({ campaignId: z.coerce.number().int().positive("campaignId must be a campaign id"), reason: reasonInput });

export const repairCampaignGapsAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const result = await repairGapsOp(ctx.db, { campaignId: input.campaignId, actor: ctx.actor, reason: input.reason, guard: bulkGuard(ctx.caller, CAMPAIGN_LIMIT_HINT) });
    revalidate("/", "/campaigns", `/campaigns/${input.campaignId}`, "/jobs/*");
    return { result };
  },
  { name: "repairCampaignGapsAction" },
);
