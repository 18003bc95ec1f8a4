"use server";
// resumeCampaignAction: enqueue the next batch at next_start_position under the same campaign id; refused while a batch is still open. Role: operator. Audited in the transaction that makes the change; a refusal is
// audited as refused and returned as { ok: false, code: "conflict", error }.
import { z } from "zod";
import { resumeCampaignOp } from "../operations/campaigns";
import { reasonInput } from "../operations/inputs";
import { operatorAction, revalidate } from "./safe-action";

const schema = z.object({ campaignId: z.coerce.number().int().positive("campaignId must be a campaign id"), reason: reasonInput });

export const resumeCampaignAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const result = await resumeCampaignOp(ctx.db, { campaignId: input.campaignId, actor: ctx.actor, reason: input.reason });
    revalidate("/", "/campaigns", `/campaigns/${input.campaignId}`, "/jobs/*");
    return { result };
  },
  { name: "resumeCampaignAction" },
);
