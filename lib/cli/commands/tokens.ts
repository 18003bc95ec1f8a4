// `jobdeck tokens create|list|revoke`: API tokens for automation (issue 6). Create prints the new
// token as its LAST line of stdout (shown only once; only its sha256 is stored), so
//   TOKEN=$(npx jobdeck tokens create --name ci --owner ops@example.com --scopes jobs:read | tail -1)
// works. Every create and revoke is audited with the CLI actor.
import { createApiToken, listApiTokens, parseExpiry, parseScopes, revokeApiToken, TOKEN_SCOPES } from "../../auth/tokens";
import { parseOptions } from "../args";
import type { Command } from "../commands";
import { usageError } from "../errors";
import { jsonLine, printable } from "../text";
import { cliActor, err, out, parseId, withDb } from "./support";

export const tokensCreateCommand: Command = {
  summary: "create an API token (printed once, as the last line)",
  help: `Usage: jobdeck tokens create --name NAME --owner EMAIL --scopes SCOPES [--expires 30d]

Creates an API token for scripts and monitoring: send it as "Authorization: Bearer <token>".
Scopes (comma-separated): ${TOKEN_SCOPES.join(", ")}. jobs:write acts as an operator (retry,
cancel, priority, recover stale, campaign actions); admin acts as an admin (bulk actions over
JOBDECK_BULK_CONFIRM_THRESHOLD jobs; with audit:read, the audit export); with neither the token
only reads. Payload, result and campaign params values under JOBDECK_REDACT_KEYS come back as
"••••" unless the token has admin or jobs:read-secrets (which goes with jobs:read).
--expires takes 90m, 12h or 30d; without it the token does not expire (revoke it when done).

The token is printed as the last line of stdout and never shown again; a summary goes to stderr.
Audited as "tokens.create".

Example:
  TOKEN=$(jobdeck tokens create --name prometheus --owner ops@example.com --scopes jobs:read --expires 365d | tail -1)`,
  async run(args) {
    const { values } = parseOptions(args, { name: { type: "string" }, owner: { type: "string" }, scopes: { type: "string" }, expires: { type: "string" } });
    if (!values.name) throw usageError("--name is required");
    if (!values.owner) throw usageError("--owner is required (the person or team responsible for the token)");
    if (!values.scopes) throw usageError(`--scopes is required (${TOKEN_SCOPES.join(", ")})`);
    let scopes;
    let expiresInMs: number | null = null;
    try {
      scopes = parseScopes(values.scopes);
      if (values.expires) expiresInMs = parseExpiry(values.expires);
    } catch (e) {
      throw usageError((e as Error).message);
    }
    const { token, row } = await withDb((db) => createApiToken(db, { name: values.name!, owner: values.owner!, scopes, expiresInMs, actor: cliActor() }));
    err(`created token ${row.id} "${printable(row.name)}" for ${printable(row.owner)} (${row.scopes.join(", ")}), ${row.expires_at ? `expires ${row.expires_at.toISOString()}` : "never expires"}. It is shown only now:\n`);
    out(`${token}\n`);
  },
};

export const tokensListCommand: Command = {
  summary: "list API tokens (never their secrets)",
  help: `Usage: jobdeck tokens list [--json]

One line per token: id, name, owner, scopes, status (active, expired, revoked), expiry, last use.`,
  async run(args) {
    const { values } = parseOptions(args, { json: { type: "boolean" } });
    const rows = await withDb((db) => listApiTokens(db));
    if (values.json) {
      for (const r of rows) out(`${jsonLine(r)}\n`);
      return;
    }
    if (!rows.length) return err("no API tokens\n");
    for (const r of rows) {
      const status = r.revoked_at ? "revoked" : r.expired ? "expired" : "active";
      const fields = [String(r.id), r.name, r.owner, r.scopes.join(","), status, r.expires_at?.toISOString() ?? "no-expiry", r.last_used_at?.toISOString() ?? "never-used"];
      out(`${fields.map(printable).join("\t")}\n`);
    }
  },
};

export const tokensRevokeCommand: Command = {
  summary: "revoke an API token by id",
  help: `Usage: jobdeck tokens revoke ID

The token stops working at once. Audited as "tokens.revoke".`,
  async run(args) {
    const { positionals } = parseOptions(args, {}, { positionals: true });
    if (positionals.length !== 1) throw usageError("give one token id");
    const id = parseId(positionals[0], "token id");
    const row = await withDb((db) => revokeApiToken(db, id, cliActor()));
    if (!row) {
      err(`token ${id} does not exist\n`);
      return 1;
    }
    err(`revoked token ${row.id} "${printable(row.name)}" (${printable(row.owner)})\n`);
  },
};
