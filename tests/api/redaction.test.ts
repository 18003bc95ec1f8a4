// Secrets in job data over HTTP: payload, result and campaign params keys named in
// JOBDECK_REDACT_KEYS come back as "••••" to a viewer's or operator's browser session and to
// jobs:read / jobs:write tokens — from the job detail, the list, the NDJSON export, the campaign
// endpoint and the job page — and raw only to an admin (session or token) or a token with
// jobs:read-secrets; every one of those responses says which in X-Jobdeck-Redacted. Audit rows
// never show a secret held in a payload filter: not stored (write time), not shown (read time).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "../../lib/audit/record";
import { createApiToken } from "../../lib/auth/tokens";
import { parseJobFilter } from "../../lib/filters/job-filter";
import { applyBulk } from "../../lib/operations/bulk";
import { createCampaign } from "../../lib/queue/campaigns";
import { type CookieJar, demoSignIn } from "../helpers/demo-session";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { type RunningServer, startServer } from "./server";

const SECRETS = ["pw-SECRET-1", "tok-SECRET-2", "auth-SECRET-3", "camp-SECRET-4"];
const MASK = "••••";

let t: TestDatabase;
let app: RunningServer;
let jobId: number;
let campaignId: number;
const tokens: Record<string, string> = {};
const sessions: Record<string, CookieJar> = {};

type Who = { token: string } | { session: string };
const WHO: Record<string, Who> = {
  "a viewer's browser session": { session: "viewer" },
  "an operator's browser session": { session: "operator" },
  "a jobs:read token": { token: "read" },
  "a jobs:read,jobs:write token": { token: "write" },
};
const WHO_RAW: Record<string, Who> = {
  "an admin's browser session": { session: "admin" },
  "an admin token": { token: "admin" },
};

function get(path: string, who: Who): Promise<Response> {
  const headers: Record<string, string> = "token" in who ? { authorization: `Bearer ${tokens[who.token]}` } : { cookie: sessions[who.session].header() };
  return fetch(app.url + path, { headers });
}

async function token(name: string, scopes: string[]): Promise<string> {
  return (await createApiToken(t.db, { name, owner: "ops@example.com", scopes: scopes as never, actor: { name: "test" } })).token;
}

beforeAll(async () => {
  t = await createTestDatabase("api_redaction");
  const [j] = await t.db.query<{ id: number }>(
    `insert into jobs (kind, queue, state, attempts, payload, result, finished_at)
     values ('secret_kind', 'secret_q', 'completed', 1, $1, $2, now()) returning id`,
    [
      JSON.stringify({ password: SECRETS[0], nested: { Token: SECRETS[1] }, user: "alice" }),
      JSON.stringify({ authorization: SECRETS[2], delivered: true }),
    ],
  );
  jobId = j.id;
  campaignId = (await t.db.tx((q) => createCampaign(q, { name: "secret campaign", kind: "secret_batch", queue: "secret_q", batchSize: 10, params: { token: SECRETS[3], region: "eu" }, createdBy: "test" }))).campaignId;
  tokens.read = await token("grafana", ["jobs:read"]);
  tokens.write = await token("runbook", ["jobs:read", "jobs:write"]);
  tokens.admin = await token("admin-bot", ["jobs:read", "audit:read", "admin"]);
  app = await startServer({ databaseUrl: t.url });
  for (const role of ["viewer", "operator", "admin"] as const) sessions[role] = await demoSignIn(app.url, role);
}, 900_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

async function expectRedacted(r: Response, what: string, redacted: boolean): Promise<string> {
  expect(r.status, what).toBe(200);
  const text = await r.text();
  if (redacted) for (const s of SECRETS) expect(text, what).not.toContain(s);
  expect(r.headers.get("x-jobdeck-redacted"), what).toBe(String(redacted));
  return text;
}

describe.each([
  ...Object.entries(WHO).map(([name, who]) => [name, who, true] as const),
  ...Object.entries(WHO_RAW).map(([name, who]) => [name, who, false] as const),
])("%s", (_name, who, redacted) => {
  const want = (raw: string) => (redacted ? MASK : raw);

  it(`gets ${redacted ? "••••" : "the raw values"} from the job detail (payload and result)`, async () => {
    const b = JSON.parse(await expectRedacted(await get(`/api/v1/admin/jobs/${jobId}`, who), "detail", redacted));
    expect(b.job.payload).toEqual({ password: want(SECRETS[0]), nested: { Token: want(SECRETS[1]) }, user: "alice" });
    expect(b.job.result).toEqual({ authorization: want(SECRETS[2]), delivered: true });
  });

  it("gets the list (which carries no payload) with the header saying which it would be", async () => {
    const text = await expectRedacted(await get("/api/v1/admin/jobs?kind=secret_kind", who), "list", redacted);
    expect(JSON.parse(text).jobs.map((j: { id: number }) => j.id)).toEqual([jobId]);
    for (const s of SECRETS) expect(text).not.toContain(s);
  });

  it(`gets ${redacted ? "••••" : "the raw values"} in the NDJSON export`, async () => {
    const text = await expectRedacted(await get("/api/v1/admin/jobs/export?kind=secret_kind", who), "export", redacted);
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ id: jobId, payload: { password: want(SECRETS[0]), nested: { Token: want(SECRETS[1]) }, user: "alice" } });
  });

  it(`gets ${redacted ? "••••" : "the raw values"} in the campaign's params`, async () => {
    const b = JSON.parse(await expectRedacted(await get(`/api/v1/admin/campaigns/${campaignId}`, who), "campaign", redacted));
    expect(b.campaign.params).toEqual({ token: want(SECRETS[3]), region: "eu" });
  });
});

describe("a token with jobs:read-secrets", () => {
  it("gets the raw values from the detail, the export and the campaign, and is told so", async () => {
    tokens.secrets = await token("vault-sync", ["jobs:read", "jobs:read-secrets"]);
    const who = { token: "secrets" };
    const detail = JSON.parse(await expectRedacted(await get(`/api/v1/admin/jobs/${jobId}`, who), "detail", false));
    expect(detail.job.payload.password).toBe(SECRETS[0]);
    expect(detail.job.result.authorization).toBe(SECRETS[2]);
    const line = JSON.parse((await expectRedacted(await get("/api/v1/admin/jobs/export?kind=secret_kind", who), "export", false)).trim());
    expect(line.payload.nested.Token).toBe(SECRETS[1]);
    const c = JSON.parse(await expectRedacted(await get(`/api/v1/admin/campaigns/${campaignId}`, who), "campaign", false));
    expect(c.campaign.params.token).toBe(SECRETS[3]);
  });

  it("cannot be made without jobs:read (it only lifts the redaction of what jobs:read reads)", async () => {
    await expect(token("half", ["jobs:read-secrets"])).rejects.toThrow(/jobs:read-secrets only unmasks what jobs:read reads: give jobs:read too/);
  });
});

describe("the job page", () => {
  it("shows •••• to a viewer and an operator, with nothing of the secrets anywhere in the document", async () => {
    for (const role of ["viewer", "operator"]) {
      const r = await get(`/jobs/${jobId}`, { session: role });
      expect(r.status).toBe(200);
      const html = await r.text();
      expect(html).toContain(MASK);
      expect(html).toContain("alice");
      for (const s of SECRETS) expect(html, role).not.toContain(s);
    }
  });

  it("shows the raw values to an admin", async () => {
    const html = await (await get(`/jobs/${jobId}`, { session: "admin" })).text();
    expect(html).toContain(SECRETS[0]);
    expect(html).toContain(SECRETS[2]);
  });
});

describe("audit rows with a payload filter", () => {
  const LEGACY = "legacy-SECRET-6";
  const BULK = "bulk-SECRET-5";

  beforeAll(async () => {
    // A row written before filters were redacted on write: the secret is in the stored text.
    await recordAudit(t.db, {
      actor: { name: "carol@example.com", roles: ["admin"] },
      action: "jobs.retry",
      targetIds: [jobId],
      filter: { state: "dead", payload: JSON.stringify({ token: LEGACY, user: "bob" }) },
      affected: 1,
      outcome: "ok",
    });
  });

  it("a bulk action by payload filter stores the filter with the secret value masked", async () => {
    const [dead] = await t.db.query<{ id: number }>(`insert into jobs (kind, queue, state, attempts, payload, finished_at) values ('bulk_kind', 'secret_q', 'dead', 1, $1, now()) returning id`, [
      JSON.stringify({ token: BULK, user: "bob" }),
    ]);
    const filter = parseJobFilter({ state: "dead", payload: JSON.stringify({ token: BULK }) });
    const r = await applyBulk(t.db, { action: "retry", filter, actor: { name: "dave@example.com", roles: ["operator"] }, reason: "redaction test" });
    expect(r.affected).toBe(1);
    expect(r.ids).toEqual([dead.id]);
    const [row] = await t.db.query<{ filter: string }>("select filter::text as filter from audit_events where reason = 'redaction test'");
    expect(row.filter).not.toContain(BULK);
    expect(row.filter).toContain(MASK);
  });

  it("the /audit page and the job page's audit entries do not show the secret, for an admin either", async () => {
    for (const role of ["viewer", "admin"]) {
      const html = await (await get("/audit", { session: role })).text();
      expect(html, role).toContain("carol@example.com");
      expect(html, role).not.toContain(LEGACY);
      expect(html, role).not.toContain(BULK);
      expect(html, role).toContain(MASK);
    }
    const page = await (await get(`/jobs/${jobId}`, { session: "admin" })).text();
    expect(page).toContain("carol@example.com");
    expect(page).not.toContain(LEGACY);
  });

  it("the audit exports (API and page download, NDJSON and CSV) do not carry the secret and say they are redacted", async () => {
    for (const [path, who] of [
      ["/api/v1/admin/audit/export?format=ndjson", { token: "admin" }],
      ["/api/v1/admin/audit/export?format=csv", { token: "admin" }],
      ["/audit/export/ndjson", { session: "admin" }],
      ["/audit/export/csv", { session: "admin" }],
    ] as const) {
      const r = await get(path, who);
      expect(r.status, path).toBe(200);
      const text = await r.text();
      expect(text, path).toContain("carol@example.com");
      expect(text, path).not.toContain(LEGACY);
      expect(text, path).not.toContain(BULK);
      expect(r.headers.get("x-jobdeck-redacted"), path).toBe("true");
    }
    const line = (await (await get("/api/v1/admin/audit/export?format=ndjson&actor=carol", { token: "admin" })).text()).trim();
    expect(JSON.parse(JSON.parse(line).filter.payload)).toEqual({ token: MASK, user: "bob" });
  });
});

describe("export → retry pipe", () => {
  it("works on a redacted export: retry reads the ids and never the masked payload", async () => {
    const exported = await expectRedacted(await get("/api/v1/admin/jobs/export?kind=secret_kind", { token: "write" }), "export", true);
    const r = await fetch(`${app.url}/api/v1/admin/jobs/retry?include_completed=true&reason=pipe`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.write}`, "content-type": "application/x-ndjson" },
      body: exported,
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ affected: 1, ids: [jobId] });
    const [row] = await t.db.query<{ state: string; payload: { password: string } }>("select state, payload from jobs where id = $1", [jobId]);
    expect(row.state).toBe("pending");
    expect(row.payload.password).toBe(SECRETS[0]);
  });
});
