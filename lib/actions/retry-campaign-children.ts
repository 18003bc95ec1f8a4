"use server";
// retryCampaignChildrenAction: retry the campaign's failed and dead item jobs, only those. Role: operator. Audited in the transaction that makes the change; a refusal is
// audited as refused and returned as { ok: false, code: "conflict", error }.
import { z } from "zod";
import { retryFailedChildrenOp } from "../operations/campaigns";
import { reasonInput } from "../operations/inputs";
import { operatorAction, revalidate } from "./safe-action";

const schema = z.object({ campaignId: z.coerce.number().int().positive("campaignId must be a campaign id"), reason: reasonInput });

export const retryCampaignChildrenAction = operatorAction(
  schema,
  "operator",
  async (input, ctx) => {
    const result = await retryFailedChildrenOp(ctx.db, { campaignId: input.campaignId, actor: ctx.actor, reason: input.reason });
    revalidate("/", "/campaigns", `/campaigns/${input.campaignId}`, "/jobs/*");
    return { result };
  },
  { name: "retryCampaignChildrenAction" },
);
