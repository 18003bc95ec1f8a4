// /settings/tokens (admin): create, list and revoke API tokens. Secrets are shown once at creation.
import type { Metadata } from "next";
import { TokensPanel, type TokenListItem } from "@/components/settings/tokens-panel";
import { requirePageRole } from "@/lib/auth/page-guard";
import { listApiTokens } from "@/lib/auth/tokens";
import { getDb } from "@/lib/server/db";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  await requirePageRole("admin");
  const rows = await listApiTokens(await getDb());
  const tokens: TokenListItem[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    owner: r.owner,
    scopes: r.scopes,
    status: r.revoked_at ? "revoked" : r.expired ? "expired" : "active",
    created_at: r.created_at.toISOString(),
    expires_at: r.expires_at?.toISOString() ?? null,
    last_used_at: r.last_used_at?.toISOString() ?? null,
  }));
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">API tokens</h1>
      <p className="text-sm text-muted">
        Send as <code>Authorization: Bearer &lt;token&gt;</code>. <code>jobs:write</code> acts as an operator; only a token with the{" "}
        <code>admin</code> scope acts as an admin. Secret values in job data (keys in <code>JOBDECK_REDACT_KEYS</code>) come back as ••••
        unless the token has <code>admin</code> or <code>jobs:read-secrets</code>. See the <a className="underline" href="/api-docs">API docs</a>.
      </p>
      <TokensPanel tokens={tokens} />
    </div>
  );
}
