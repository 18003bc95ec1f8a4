// Sign-ins in the audit log, and demo users beside single sign-on, over HTTP against `next start`
// of the build. The server has OIDC configured (an issuer nobody answers at: these tests never
// reach it) and JOBDECK_DEMO_AUTH=force: the demo sign-in, a refused demo sign-in, a sign-out and
// a sign-in the identity provider refused each write an audit row, and /audit filters them with
// `auth.*`. Every page says that demo users are enabled alongside SSO.
// (A real single sign-on through a local OpenID Provider is audited in e2e/auth.spec.ts.)
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiToken } from "../../lib/auth/tokens";
import { freePort, type RunningServer, startServer } from "../api/server";
import { CookieJar, demoSignIn } from "../helpers/demo-session";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let app: RunningServer;
let port: number;

type Row = { actor: string; roles: string[]; action: string; outcome: string; reason: string | null; details: Record<string, unknown> | null; target_ids: number[] | null };
const authRows = () => t.db.query<Row>("select actor, roles, action, outcome, reason, details, target_ids from audit_events where action like 'auth.%' order by id");

beforeAll(async () => {
  t = await createTestDatabase("sign_in_audit");
  port = await freePort();
  app = await startServer({
    port,
    databaseUrl: t.url,
    env: {
      OIDC_ISSUER: "http://127.0.0.1:9", // discard port: nothing answers, and nothing here needs it
      OIDC_CLIENT_ID: "jobdeck",
      OIDC_CLIENT_SECRET: "s3cret",
      OIDC_DISPLAY_NAME: "Example IdP",
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      JOBDECK_DEMO_AUTH: "force",
    },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

describe("demo users alongside SSO (JOBDECK_DEMO_AUTH=force)", () => {
  test("the start-up log warns; the sign-in page offers both and says so; every page carries the banner", async () => {
    expect(app.output()).toMatch(/WARNING: demo users enabled alongside SSO/);
    const signin = await (await fetch(`${app.url}/signin`)).text();
    expect(signin).toContain("Sign in with Example IdP");
    expect(signin).toContain('data-testid="demo-signin"');
    expect(signin).toMatch(/data-testid="demo-alongside-sso-signin"[^>]*>Demo users enabled alongside SSO/);
    expect(signin).toMatch(/data-testid="demo-alongside-sso"[^>]*>.*Demo users enabled alongside SSO/s);
    const jar = await demoSignIn(app.url, "viewer");
    const page = await (await fetch(`${app.url}/jobs`, { headers: { cookie: jar.header() } })).text();
    expect(page).toMatch(/data-testid="demo-alongside-sso"[^>]*>.*Demo users enabled alongside SSO/s);
  });
});

describe("the audit log", () => {
  test("a demo sign-in is auth.sign_in with the role; a refused one is auth.sign_in_refused; signing out is auth.sign_out", async () => {
    await t.db.query("delete from audit_events");
    const jar = await demoSignIn(app.url, "admin");

    // A demo user that does not exist is refused (and named in no row).
    const csrf = await fetch(`${app.url}/api/auth/csrf`);
    const bad = new CookieJar();
    bad.take(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const refused = await fetch(`${app.url}/api/auth/callback/demo`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: bad.header(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, role: "root", callbackUrl: "/" }).toString(),
    });
    expect(refused.headers.get("location")).toMatch(/error=CredentialsSignin/);

    // Sign out as a browser does: next-auth's CSRF token, then POST /api/auth/signout.
    const c2 = await fetch(`${app.url}/api/auth/csrf`, { headers: { cookie: jar.header() } });
    jar.take(c2);
    const out = await fetch(`${app.url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken: ((await c2.json()) as { csrfToken: string }).csrfToken, callbackUrl: "/signin?signedout=1" }).toString(),
    });
    expect(out.status).toBe(302);

    const rows = await authRows();
    expect(rows).toEqual([
      { actor: "admin@demo.jobdeck.local", roles: ["admin"], action: "auth.sign_in", outcome: "ok", reason: null, details: { provider: "demo", subject: "demo-admin" }, target_ids: null },
      {
        actor: "anonymous",
        roles: [],
        action: "auth.sign_in_refused",
        outcome: "refused",
        reason: "not one of the demo users (viewer, operator, admin)",
        details: { provider: "demo", kind: "unknown_demo_user" },
        target_ids: null,
      },
      { actor: "admin@demo.jobdeck.local", roles: ["admin"], action: "auth.sign_out", outcome: "ok", reason: null, details: { provider: "demo", subject: "demo-admin" }, target_ids: null },
    ]);
    // No token, cookie or CSRF value in any row.
    const text = JSON.stringify(rows);
    for (const secret of [...jar.cookies.values(), csrfToken]) expect(text).not.toContain(secret);
  });

  test("an identity provider that answers the callback with an error: auth.sign_in_refused naming the OAuth error code only", async () => {
    await t.db.query("delete from audit_events");
    const r = await fetch(`${app.url}/api/auth/callback/oidc?error=access_denied&error_description=${encodeURIComponent("User said no <script>")}&state=abc`, { redirect: "manual" });
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toMatch(/error=/);
    // A value that is not an OAuth error code is not repeated.
    await fetch(`${app.url}/api/auth/callback/oidc?error=${encodeURIComponent("<img src=x> jd_1_secret")}`, { redirect: "manual" });
    const rows = await authRows();
    expect(rows.map((x) => [x.actor, x.action, x.outcome, x.reason])).toEqual([
      ["anonymous", "auth.sign_in_refused", "refused", "the identity provider refused the sign-in: access_denied"],
      ["anonymous", "auth.sign_in_refused", "refused", "the identity provider refused the sign-in: an unrecognised error"],
    ]);
    expect(rows[0].details).toMatchObject({ provider: "oidc", kind: "provider_error", provider_error: "access_denied" });
    expect(JSON.stringify(rows)).not.toMatch(/User said no|jd_1_secret|img src|abc/);
  });

  test("GET /api/v1/admin/audit/export?action=auth.* lists exactly the sign-in rows", async () => {
    await t.db.query("delete from audit_events");
    await demoSignIn(app.url, "operator");
    const { token } = await createApiToken(t.db, { name: "auditor", owner: "lead@example.com", scopes: ["audit:read", "admin"], actor: { name: "test" } });
    const r = await fetch(`${app.url}/api/v1/admin/audit/export?format=ndjson&action=${encodeURIComponent("auth.*")}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    const lines = (await r.text()).trim().split("\n").map((l) => JSON.parse(l) as { actor: string; action: string });
    expect(lines.map((l) => [l.actor, l.action])).toEqual([["operator@demo.jobdeck.local", "auth.sign_in"]]);
  });
});
