"use client";
// Create (token shown once) and revoke API tokens. Server actions do the auth (admin) and audit.
import { useState, useTransition } from "react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toast";
import { createApiTokenAction, revokeApiTokenAction } from "@/lib/actions/api-tokens";

export interface TokenListItem {
  id: number;
  name: string;
  owner: string;
  scopes: string[];
  status: "active" | "expired" | "revoked";
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

const SCOPES: { scope: string; help: string }[] = [
  { scope: "jobs:read", help: "read jobs, workers, campaigns and counts" },
  { scope: "jobs:write", help: "change jobs, acting as an operator" },
  { scope: "audit:read", help: "read the audit log" },
  { scope: "admin", help: "act as an admin: bulk over the threshold, audit export, secret values" },
  { scope: "jobs:read-secrets", help: "with jobs:read: payload, result and campaign params values otherwise masked as ••••" },
];

export function TokensPanel({ tokens }: { tokens: TokenListItem[] }) {
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const [revoking, setRevoking] = useState<TokenListItem | null>(null);
  const toast = useToast();

  return (
    <div className="space-y-6">
      <form
        className="grid max-w-xl gap-3 rounded border border-border bg-surface p-4"
        action={(fd) =>
          start(async () => {
            setError(null);
            const r = await createApiTokenAction(fd);
            if (r.ok) setCreated({ token: r.token, name: r.name });
            else setError(r.error);
          })
        }
      >
        <h2 className="font-semibold">New token</h2>
        <label className="grid gap-1 text-sm">
          Name <input name="name" required maxLength={100} className="rounded border border-border bg-bg px-2 py-1" />
        </label>
        <label className="grid gap-1 text-sm">
          Owner (email or team) <input name="owner" required maxLength={200} className="rounded border border-border bg-bg px-2 py-1" />
        </label>
        <fieldset className="grid gap-1 text-sm">
          <legend className="mb-1">Scopes</legend>
          {SCOPES.map(({ scope, help }) => (
            <div key={scope} className="grid grid-cols-[9.5rem_1fr] items-baseline gap-x-2">
              <label className="flex items-center gap-1">
                <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === "jobs:read"} aria-describedby={`scope-${scope.replace(":", "-")}-help`} /> {scope}
              </label>
              <span id={`scope-${scope.replace(":", "-")}-help`} className="text-xs text-muted">{help}</span>
            </div>
          ))}
        </fieldset>
        <label className="grid gap-1 text-sm">
          Expires in (30d, 12h, 90m; empty = never) <input name="expires" defaultValue="90d" className="rounded border border-border bg-bg px-2 py-1" />
        </label>
        <button type="submit" disabled={pending} className="justify-self-start rounded bg-accent px-3 py-1.5 font-medium text-accent-fg disabled:opacity-50">
          Create token
        </button>
        {error && <p role="alert" className="text-sm text-bad">{error}</p>}
      </form>

      {created && (
        <div role="status" className="max-w-3xl rounded border border-warn bg-warn-bg p-4">
          <p className="text-sm font-semibold">Token &ldquo;{created.name}&rdquo; — copy it now, it is not shown again:</p>
          <code className="mt-2 block break-all rounded bg-bg p-2 text-sm" data-testid="new-token">{created.token}</code>
        </div>
      )}

      <table className="w-full text-left text-sm">
        <thead>
          <tr className="border-b border-border">
            <th className="py-1">Id</th><th>Name</th><th>Owner</th><th>Scopes</th><th>Status</th><th>Expires</th><th>Last used</th><th><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} className="border-b border-border/60">
              <td className="py-1 tabular-nums">{t.id}</td>
              <td>{t.name}</td>
              <td>{t.owner}</td>
              <td>{t.scopes.join(", ")}</td>
              <td>{t.status}</td>
              <td>{t.expires_at ? new Date(t.expires_at).toISOString().slice(0, 16).replace("T", " ") : "never"}</td>
              <td>{t.last_used_at ? new Date(t.last_used_at).toISOString().slice(0, 16).replace("T", " ") : "never"}</td>
              <td>
                {t.status !== "revoked" && (
                  <button
                    type="button"
                    disabled={pending}
                    className="rounded border border-border px-2 py-0.5"
                    onClick={() => setRevoking(t)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
          {!tokens.length && (
            <tr>
              <td colSpan={8} className="py-3 text-muted">No API tokens yet.</td>
            </tr>
          )}
        </tbody>
      </table>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke API token"
        message={revoking ? `Revoke token ${revoking.id} "${revoking.name}" (owner ${revoking.owner})? Scripts using it get 401 from the next request on. This cannot be undone.` : ""}
        confirmLabel="Revoke token"
        tone="danger"
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          const r = await revokeApiTokenAction({ id: revoking.id });
          if (!r.ok) throw new Error(r.error);
          toast.success(`Revoked token ${revoking.id} "${revoking.name}"`, "Requests with it now get 401; the audit log has the entry.");
          setRevoking(null);
        }}
      />
    </div>
  );
}
