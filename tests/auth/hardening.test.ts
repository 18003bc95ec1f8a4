// The web hardening of a production server (`next start` of the build), over HTTP: cross-site
// refusal of server actions and cookie-session API writes, security headers, the sign-in
// redirect, session cookie attributes (Secure and __Secure- behind https), HSTS over https,
// start-up refusal without sign-in or a secret whatever NODE_ENV says, and the admin rule for
// large bulk actions through API tokens.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiToken } from "../../lib/auth/tokens";
import { appDir, freePort, type RunningServer, startServer, startServerExpectingExit } from "../api/server";
import { type CookieJar, demoSignIn } from "../helpers/demo-session";
import { snapshotData } from "../helpers/snapshot";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let app: RunningServer;
let adminSession: CookieJar;
let dead: number[] = [];
const tokens = { write: "", admin: "" };

const statesOf = async (idList: number[]) => (await t.db.query<{ state: string }>("select state from jobs where id = any($1::bigint[]) order by id", [idList])).map((r) => r.state);

beforeAll(async () => {
  t = await createTestDatabase("auth_hardening");
  dead = (
    await t.db.query<{ id: number }>(
      "insert into jobs (kind, state, attempts, finished_at, last_error) select 'bulk5', 'dead', 5, now(), 'boom' from generate_series(1, 5) returning id",
    )
  ).map((r) => r.id);
  tokens.write = (await createApiToken(t.db, { name: "runbook-bot", owner: "sre@example.com", scopes: ["jobs:read", "jobs:write"], actor: { name: "test" } })).token;
  tokens.admin = (await createApiToken(t.db, { name: "big-hammer", owner: "lead@example.com", scopes: ["jobs:read", "jobs:write", "admin"], actor: { name: "test" } })).token;
  app = await startServer({ databaseUrl: t.url, env: { JOBDECK_BULK_CONFIRM_THRESHOLD: "3" } });
  adminSession = await demoSignIn(app.url, "admin");
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

/** The id of one action in the build's manifest, and a page it can be posted to. */
async function buildAction(name: string): Promise<{ id: string; page: string }> {
  const m = JSON.parse(readFileSync(path.join(await appDir(), ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName: string; workers: Record<string, unknown> }>;
  };
  const [id, e] = Object.entries(m.node).find(([, v]) => v.exportedName === name) ?? [];
  if (!id || !e) throw new Error(`${name} is not in the build's server-reference manifest`);
  const page = Object.keys(e.workers).find((w) => !w.includes("["));
  if (!page) throw new Error(`${name}: no static page uses it`);
  return { id, page: "/" + page.replace(/^app\//, "").replace(/\/page$/, "").split("/").filter((s) => !/^\(.*\)$/.test(s)).join("/") };
}

describe("cross-site requests", () => {
  test("a server action posted from another site is refused by the proxy with 403, even with an admin's cookie; nothing changes", async () => {
    const { id, page } = await buildAction("retryJobsAction");
    const before = await snapshotData(t.db);
    const post = (origin: string) =>
      fetch(app.url + page, {
        method: "POST",
        redirect: "manual",
        headers: { "next-action": id, "content-type": "text/plain;charset=UTF-8", origin, cookie: adminSession.header() },
        body: JSON.stringify([{ ids: dead, reason: "csrf" }]),
      });
    const evil = await post("https://evil.example");
    expect(evil.status).toBe(403);
    expect(evil.headers.get("content-type")).toContain("text/plain");
    expect(await evil.text()).toMatch(/sent from another site/);
    expect(await snapshotData(t.db)).toEqual(before);
    expect(await statesOf(dead)).toEqual(["dead", "dead", "dead", "dead", "dead"]);
    // "null" (sandboxed frames) is foreign too.
    expect((await post("null")).status).toBe(403);
    expect(await snapshotData(t.db)).toEqual(before);
  });

  test("a cookie-session API write with a foreign Origin is 403; the same request from this site passes the door", async () => {
    const before = await snapshotData(t.db);
    const post = (origin: string) =>
      fetch(`${app.url}/api/v1/admin/jobs/retry`, {
        method: "POST",
        headers: { "content-type": "application/json", origin, cookie: adminSession.header() },
        body: JSON.stringify({ ids: dead, dry_run: true }),
      });
    const evil = await post("https://evil.example");
    expect(evil.status).toBe(403);
    expect((await evil.json()).error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/cross-site request refused/) });
    expect(await snapshotData(t.db)).toEqual(before);
    const same = await post(app.url);
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ dry_run: true, affected: 5 });
  });
});

describe("pages", () => {
  test("security headers: CSP without 'unsafe-eval' and with frame-ancestors 'none', nosniff, a referrer policy", async () => {
    const r = await fetch(`${app.url}/`, { headers: { cookie: adminSession.header() } });
    expect(r.status).toBe(200);
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("x-powered-by")).toBeNull();
  });

  test("no Strict-Transport-Security over plain http; behind a proxy that says https (X-Forwarded-Proto), every page has it", async () => {
    const plain = await fetch(`${app.url}/`, { headers: { cookie: adminSession.header() } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    // This server has no NEXTAUTH_URL: the proxy in front decides (cookies follow the same rule).
    const jar = await demoSignIn(app.url, "viewer", { "x-forwarded-proto": "https" });
    const proxied = await fetch(`${app.url}/`, { headers: { cookie: jar.header(), "x-forwarded-proto": "https" } });
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get("strict-transport-security")).toBe("max-age=31536000");
    const signin = await fetch(`${app.url}/signin`, { headers: { "x-forwarded-proto": "https" } });
    expect(signin.headers.get("strict-transport-security")).toBe("max-age=31536000");
  });

  test("scripts run only with this response's nonce: no 'unsafe-inline' for scripts, every <script> carries it, a new one per request", async () => {
    const nonceOf = (csp: string) => /script-src [^;]*'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    const r = await fetch(`${app.url}/jobs`, { headers: { cookie: adminSession.header() } });
    expect(r.status).toBe(200);
    const csp = r.headers.get("content-security-policy") ?? "";
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(scriptSrc).toContain("'strict-dynamic'");
    const nonce = nonceOf(csp);
    expect(nonce).toBeTruthy();
    const html = await r.text();
    const tags = html.match(/<script\b[^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(3);
    for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
    const again = await fetch(`${app.url}/jobs`, { headers: { cookie: adminSession.header() } });
    expect(nonceOf(again.headers.get("content-security-policy") ?? "")).not.toBe(nonce);
    // The sign-in page (no session) is protected the same way.
    const signin = await fetch(`${app.url}/signin`);
    expect(nonceOf(signin.headers.get("content-security-policy") ?? "")).toBeTruthy();
  });

  test("a page without a session is a 307 to /signin with the way back", async () => {
    const r = await fetch(`${app.url}/jobs?state=dead&kind=bulk5`, { redirect: "manual" });
    expect(r.status).toBe(307);
    const to = new URL(r.headers.get("location")!, app.url);
    expect(to.pathname).toBe("/signin");
    expect(to.searchParams.get("callbackUrl")).toBe("/jobs?state=dead&kind=bulk5");
    expect(to.searchParams.has("expired")).toBe(false);
  });

  test("a session cookie that no longer decrypts is sent to sign in again, marked expired", async () => {
    const r = await fetch(`${app.url}/workers`, { redirect: "manual", headers: { cookie: "next-auth.session-token=garbage" } });
    expect(r.status).toBe(307);
    const to = new URL(r.headers.get("location")!, app.url);
    expect(to.pathname).toBe("/signin");
    expect(to.searchParams.get("expired")).toBe("1");
  });

  test("the session cookie over http: HttpOnly, SameSite=Lax, Path=/, not Secure", async () => {
    const jar = await demoSignIn(app.url, "viewer");
    const line = jar.line("next-auth.session-token");
    expect(line).toBeDefined();
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\//i);
    expect(line).not.toMatch(/;\s*Secure/i);
  });
});

describe("behind https (NEXTAUTH_URL=https://…)", () => {
  let secure: RunningServer;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    secure = await startServer({ port, databaseUrl: t.url, env: { NEXTAUTH_URL: `https://127.0.0.1:${port}` } });
  }, 120_000);
  afterAll(async () => {
    await secure?.stop();
  });

  test("the session cookie is __Secure-next-auth.session-token with Secure, HttpOnly, SameSite=Lax, and it signs the browser in", async () => {
    const jar = await demoSignIn(secure.url, "operator", { "x-forwarded-proto": "https" });
    expect(jar.cookies.has("next-auth.session-token")).toBe(false);
    const line = jar.line("__Secure-next-auth.session-token");
    expect(line).toBeDefined();
    expect(line).toMatch(/;\s*Secure/i);
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    const page = await fetch(`${secure.url}/`, { redirect: "manual", headers: { cookie: jar.header(), "x-forwarded-proto": "https" } });
    expect(page.status).toBe(200);
    // The same value under the plain name is not a session on an https deployment.
    const plain = await fetch(`${secure.url}/`, { redirect: "manual", headers: { cookie: `next-auth.session-token=${jar.cookies.get("__Secure-next-auth.session-token")}` } });
    expect(plain.status).toBe(307);
  });

  test("Strict-Transport-Security on pages, the sign-in page and the redirect to it", async () => {
    const jar = await demoSignIn(secure.url, "viewer", { "x-forwarded-proto": "https" });
    const page = await fetch(`${secure.url}/jobs`, { redirect: "manual", headers: { cookie: jar.header() } });
    expect(page.status).toBe(200);
    expect(page.headers.get("strict-transport-security")).toBe("max-age=31536000");
    const signin = await fetch(`${secure.url}/signin`);
    expect(signin.headers.get("strict-transport-security")).toBe("max-age=31536000");
    const anonymous = await fetch(`${secure.url}/workers`, { redirect: "manual" });
    expect(anonymous.status).toBe(307);
    expect(anonymous.headers.get("strict-transport-security")).toBe("max-age=31536000");
  });
});

describe("start-up refusal", () => {
  test("production without OIDC and without JOBDECK_DEMO_AUTH exits 78 and says why", async () => {
    const r = await startServerExpectingExit({ databaseUrl: t.url, env: { JOBDECK_DEMO_AUTH: undefined } });
    expect(r.code, r.output).toBe(78);
    expect(r.output).toMatch(/\[jobdeck\] refusing to start: no sign-in is configured/);
  });

  test("half-configured OIDC exits 78 naming the missing variables", async () => {
    const r = await startServerExpectingExit({ databaseUrl: t.url, env: { JOBDECK_DEMO_AUTH: undefined, OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "jobdeck" } });
    expect(r.code, r.output).toBe(78);
    expect(r.output).toMatch(/refusing to start: OIDC is half configured: set OIDC_CLIENT_SECRET too/);
  });

  test("production without NEXTAUTH_SECRET exits 78", async () => {
    const r = await startServerExpectingExit({ databaseUrl: t.url, env: { NEXTAUTH_SECRET: undefined } });
    expect(r.code, r.output).toBe(78);
    expect(r.output).toMatch(/refusing to start: NEXTAUTH_SECRET is not set/);
  });

  // "Production" is the build, not NODE_ENV: a production build started with NODE_ENV=staging
  // (or none) must not fall back to the public development secret or offer the demo admin.
  test("the production build with NODE_ENV=staging and no NEXTAUTH_SECRET exits 78", async () => {
    const r = await startServerExpectingExit({ databaseUrl: t.url, env: { NODE_ENV: "staging", NEXTAUTH_SECRET: undefined } });
    expect(r.code, r.output).toBe(78);
    expect(r.output).toMatch(/refusing to start: NEXTAUTH_SECRET is not set/);
  });

  test("the production build with NODE_ENV unset and no NEXTAUTH_SECRET exits 78", async () => {
    const r = await startServerExpectingExit({ databaseUrl: t.url, env: { NODE_ENV: undefined, NEXTAUTH_SECRET: undefined } });
    expect(r.code, r.output).toBe(78);
    expect(r.output).toMatch(/refusing to start: NEXTAUTH_SECRET is not set/);
  });

  test("the production build with NODE_ENV=staging and no sign-in exits 78 (no demo users by default)", async () => {
    const r = await startServerExpectingExit({ databaseUrl: t.url, env: { NODE_ENV: "staging", JOBDECK_DEMO_AUTH: undefined } });
    expect(r.code, r.output).toBe(78);
    expect(r.output).toMatch(/refusing to start: no sign-in is configured/);
  });

  test("JOBDECK_DEMO_AUTH=1 together with OIDC exits 78, naming JOBDECK_DEMO_AUTH=force", async () => {
    const env = { OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "jobdeck", OIDC_CLIENT_SECRET: "s3cret", NEXTAUTH_URL: "https://jobdeck.example.com" };
    const r = await startServerExpectingExit({ databaseUrl: t.url, env: { ...env, JOBDECK_DEMO_AUTH: "1" } });
    expect(r.code, r.output).toBe(78);
    expect(r.output).toMatch(/refusing to start: JOBDECK_DEMO_AUTH=1 and single sign-on \(OIDC_\*\) are both set.*JOBDECK_DEMO_AUTH=force/);
  });

  test("a plain-http OIDC_ISSUER that is not this machine exits 78 naming OIDC_ISSUER", async () => {
    const env = { OIDC_ISSUER: "http://id.example.com", OIDC_CLIENT_ID: "jobdeck", OIDC_CLIENT_SECRET: "s3cret", NEXTAUTH_URL: "https://jobdeck.example.com" };
    const r = await startServerExpectingExit({ databaseUrl: t.url, env: { ...env, JOBDECK_DEMO_AUTH: undefined } });
    expect(r.code, r.output).toBe(78);
    expect(r.output).toMatch(/refusing to start: OIDC_ISSUER must be an https URL \(got "http:\/\/id.example.com"\); plain http is allowed only for localhost, 127.0.0.1 and ::1/);
  });
});

describe("start-up refusal: sources", () => {
  test("a JOBDECK_SOURCES entry with a bad field exits 78 naming the entry and the field", async () => {
    const sources = JSON.stringify([{ name: "billing", kind: "pg-boss" }, { name: "mail", kind: "sidekiq" }]);
    const r = await startServerExpectingExit({ databaseUrl: t.url, env: { JOBDECK_SOURCES: sources } });
    expect(r.code, r.output).toBe(78);
    expect(r.output).toMatch(/\[jobdeck\] refusing to start: JOBDECK_SOURCES entry 2 \("mail"\), field kind: kind must be "pg-boss", "graphile-worker" or "celery"/);
  });
});

describe("bulk over JOBDECK_BULK_CONFIRM_THRESHOLD (3 on this server) needs an admin token", () => {
  const retry = (token: string, body: object) =>
    fetch(`${app.url}/api/v1/admin/jobs/retry`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

  test("dry run with a jobs:write token says allowed: false; with an admin token allowed: true", async () => {
    const w = await retry(tokens.write, { state: "dead", kind: "bulk5", dry_run: true });
    expect(w.status).toBe(200);
    expect(await w.json()).toMatchObject({ dry_run: true, affected: 5, allowed: false, bulk_confirm_threshold: 3 });
    const a = await retry(tokens.admin, { state: "dead", kind: "bulk5", dry_run: true });
    expect(await a.json()).toMatchObject({ dry_run: true, affected: 5, allowed: true, bulk_confirm_threshold: 3 });
    expect(await statesOf(dead)).toEqual(["dead", "dead", "dead", "dead", "dead"]);
  });

  test("a jobs:write token retrying 5 dead jobs: 403 naming the threshold, jobs unchanged, one refused audit row", async () => {
    const before = await snapshotData(t.db, { ignoreTokenUse: true });
    const r = await retry(tokens.write, { ids: dead, reason: "all of them" });
    expect(r.status).toBe(403);
    expect((await r.json()).error).toMatchObject({ code: "forbidden", message: "this would change 5 jobs; more than 3 at once needs the admin role (narrow the filter or set a limit)" });
    const after = await snapshotData(t.db, { ignoreTokenUse: true });
    expect(after.jobs).toBe(before.jobs);
    expect(after.job_attempts).toBe(before.job_attempts);
    expect(after.audit_events).toBe(before.audit_events + 1);
    const [a] = await t.db.query<{ actor: string; action: string; outcome: string; affected: number; target_ids: number[] }>(
      "select actor, action, outcome, affected, target_ids from audit_events order by id desc limit 1",
    );
    expect(a).toMatchObject({ actor: "token:runbook-bot (sre@example.com)", action: "api.jobs.retry", outcome: "refused", affected: 0 });
    expect([...a.target_ids].sort()).toEqual([...dead].sort());
    // By filter too.
    expect((await retry(tokens.write, { state: "dead", kind: "bulk5" })).status).toBe(403);
    expect(await statesOf(dead)).toEqual(["dead", "dead", "dead", "dead", "dead"]);
  });

  test("a token with jobs:read, jobs:write and admin: 200 and all 5 retried", async () => {
    const r = await retry(tokens.admin, { ids: dead, reason: "approved" });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ dry_run: false, affected: 5 });
    expect(await statesOf(dead)).toEqual(["pending", "pending", "pending", "pending", "pending"]);
    const [a] = await t.db.query<{ actor: string; outcome: string; affected: number }>("select actor, outcome, affected from audit_events order by id desc limit 1");
    expect(a).toEqual({ actor: "token:big-hammer (lead@example.com)", outcome: "ok", affected: 5 });
  });
});
