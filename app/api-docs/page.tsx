// /api-docs: every API endpoint with its scope and a curl example; the machine-readable
// document is /api/v1/openapi.json (generated from the same list and zod schemas).
import type { Metadata } from "next";
import { ENDPOINTS, OTHER_ENDPOINTS } from "@/lib/api/openapi";
import { requirePageRole } from "@/lib/auth/page-guard";

export const metadata: Metadata = { title: "API" };

export const dynamic = "force-dynamic";

export default async function ApiDocsPage() {
  await requirePageRole();
  return (
    <div className="max-w-[1100px] space-y-5">
      <h1 className="text-lg font-semibold">Jobdeck HTTP API</h1>
      <p className="text-sm">
        JSON in and out; errors are <code>{`{ "error": { "code", "message" } }`}</code> with 400, 401, 403, 404 or 409. Authenticate with{" "}
        <code>Authorization: Bearer $JOBDECK_TOKEN</code> (create one at <a className="underline" href="/settings/tokens">/settings/tokens</a> or with{" "}
        <code>npx jobdeck tokens create --name N --owner EMAIL --scopes jobs:read,jobs:write</code>). Every mutation is audited with the token&apos;s name and owner.
        OpenAPI 3.1: <a className="underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
      </p>
      {[...ENDPOINTS, ...OTHER_ENDPOINTS].map((e) => (
        <section key={`${e.method} ${e.path}`} className="rounded border border-border p-3">
          <h2 className="font-mono text-sm font-semibold">
            {e.method.toUpperCase()} {e.path}
          </h2>
          <p className="text-sm">
            {e.summary}. <span className="text-muted">{e.scope ? `Scope: ${e.scope}` : "No auth"}</span>
          </p>
          <pre className="mt-2 whitespace-pre-wrap break-all rounded bg-bg p-2 text-xs">{e.example}</pre>
        </section>
      ))}
    </div>
  );
}
