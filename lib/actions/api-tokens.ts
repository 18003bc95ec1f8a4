"use server";
// API token actions for /settings/tokens: create (the token is returned once), revoke. Role: admin.
import { z } from "zod";
import { createApiToken, parseExpiry, parseScopes, revokeApiToken, TOKEN_SCOPES } from "../auth/tokens";
import { operatorAction, revalidate } from "./safe-action";

const createSchema = z.object({
  name: z.string().trim().min(1, "give the token a name").max(100, "name is longer than 100 characters"),
  owner: z.string().trim().min(1, "give an owner (email or team)").max(200, "owner is longer than 200 characters"),
  scopes: z
    .preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(TOKEN_SCOPES)).min(1, "choose at least one scope"))
    .superRefine((v, ctx) => {
      // The combination rules live in parseScopes; say them next to the checkboxes.
      try {
        if (v.length) parseScopes(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
  expires: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()).refine((v) => {
    if (v === undefined) return true;
    try {
      parseExpiry(v);
      return true;
    } catch {
      return false;
    }
  }, "expiry must look like 30d, 12h or 90m (or empty for none)"),
});

export const createApiTokenAction = operatorAction(
  createSchema,
  "admin",
  async (input, ctx) => {
    const { token, row } = await createApiToken(ctx.db, {
      name: input.name,
      owner: input.owner,
      scopes: input.scopes,
      expiresInMs: input.expires ? parseExpiry(input.expires) : null,
      actor: ctx.actor,
    });
    revalidate("/settings/tokens");
    return { token, id: row.id, name: row.name };
  },
  { name: "createApiTokenAction" },
);

export const revokeApiTokenAction = operatorAction(
  z.object({ id: z.coerce.number().int().positive("id must be a token id") }),
  "admin",
  async (input, ctx) => {
    const row = await revokeApiToken(ctx.db, input.id, ctx.actor);
    if (!row) throw new z.ZodError([{ code: "custom", path: ["id"], message: `token ${input.id} does not exist`, input: input.id }]);
    revalidate("/settings/tokens");
    return { id: row.id };
  },
  { name: "revokeApiTokenAction" },
);
