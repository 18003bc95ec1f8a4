// /settings/tokens (admin): create, list and revoke API tokens. Secrets are shown once at creation.
import type { Metadata } from "next";
import { TokensPanel, type TokenListItem } from "@/components/settings/tokens-panel";
import { getCaller, hasRole } from "@/lib/auth/caller";
import { listApiTokens } from "@/lib/auth/tokens";
import { getDb } from "@/lib/server/db";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const caller = await getCaller();
  if (!hasRole(caller, "admin")) {
    return (
      <main id="main" className="mx-auto max-w-[1400px] px-4 py-6">
        <h1 className="text-xl font-bold">API tokens</h1>
        <p className="mt-2">Only admins manage API tokens.</p>
      </main>
    );
  }
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
    <main id="main" className="mx-auto max-w-[1400px] space-y-4 px-4 py-6">
      <h1 className="text-xl font-bold">API tokens</h1>
      <p className="text-sm text-muted">
        Send as <code>Authorization: Bearer &lt;token&gt;</code>. <code>jobs:write</code> acts as an operator; tokens are never admin. See the <a className="underline" href="/api-docs">API docs</a>.
      </p>
      <TokensPanel tokens={tokens} />
    </main>
  );
}
