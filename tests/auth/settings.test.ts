// lib/auth/settings: how sign-in is read from the environment, and when a server must not start.
import { describe, expect, test } from "vitest";
import { AuthConfigError, readAuthSettings, sessionCookieName, startupProblem } from "../../lib/auth/settings";

const OIDC = { OIDC_ISSUER: "https://id.example.com/", OIDC_CLIENT_ID: "jobdeck", OIDC_CLIENT_SECRET: "s3cret" };

describe("readAuthSettings", () => {
  test("defaults outside production: demo sign-in on, 8 h sessions, groups claim, default role map, a development secret", () => {
    const s = readAuthSettings({ NODE_ENV: "development" });
    expect(s).toMatchObject({ oidc: null, demo: true, sessionHours: 8, rolesClaim: "groups", production: false });
    expect(s.roleMap).toEqual([
      { group: "jobdeck-admins", role: "admin" },
      { group: "jobdeck-operators", role: "operator" },
      { group: "jobdeck-viewers", role: "viewer" },
    ]);
    expect(s.secret).toEqual(expect.any(String));
  });

  test("production without anything: no OIDC, no demo, no secret", () => {
    expect(readAuthSettings({ NODE_ENV: "production" })).toMatchObject({ oidc: null, demo: false, secret: null, production: true });
  });

  test("full OIDC: the issuer loses its trailing slash, the display name defaults; demo is off unless asked for", () => {
    const s = readAuthSettings({ NODE_ENV: "development", ...OIDC });
    expect(s.oidc).toEqual({ issuer: "https://id.example.com", clientId: "jobdeck", clientSecret: "s3cret", displayName: "single sign-on" });
    expect(s.demo).toBe(false);
    expect(readAuthSettings({ NODE_ENV: "development", ...OIDC, OIDC_DISPLAY_NAME: "Okta", JOBDECK_DEMO_AUTH: "1" })).toMatchObject({
      oidc: { displayName: "Okta" },
      demo: true,
    });
  });

  test.each([
    [{ OIDC_ISSUER: "https://id.example.com" }, ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]],
    [{ OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "x" }, ["OIDC_CLIENT_SECRET"]],
    [{ OIDC_CLIENT_SECRET: "x" }, ["OIDC_ISSUER", "OIDC_CLIENT_ID"]],
    [{ OIDC_ISSUER: "   ", OIDC_CLIENT_ID: "x", OIDC_CLIENT_SECRET: "y" }, ["OIDC_ISSUER"]],
  ])("half-configured OIDC %j is an error naming %j", (env, missing) => {
    let err: unknown;
    try {
      readAuthSettings({ NODE_ENV: "production", ...env });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AuthConfigError);
    expect((err as Error).message).toMatch(/half configured/);
    for (const m of missing) expect((err as Error).message).toContain(m);
  });

  test("an OIDC issuer that is not an http(s) URL is refused", () => {
    expect(() => readAuthSettings({ ...OIDC, OIDC_ISSUER: "id.example.com" })).toThrow(/OIDC_ISSUER must be an http\(s\) URL/);
  });

  test.each(["0", "-1", "abc", "1e3", "721", "8h", " 0.0 "])("JOBDECK_SESSION_HOURS=%j is refused", (v) => {
    expect(() => readAuthSettings({ JOBDECK_SESSION_HOURS: v })).toThrow(AuthConfigError);
    expect(() => readAuthSettings({ JOBDECK_SESSION_HOURS: v })).toThrow(/JOBDECK_SESSION_HOURS/);
  });

  test.each([
    ["0.5", 0.5],
    ["12", 12],
    ["720", 720],
    ["", 8],
  ])("JOBDECK_SESSION_HOURS=%j is %d hours", (v, hours) => {
    expect(readAuthSettings({ JOBDECK_SESSION_HOURS: v }).sessionHours).toBe(hours);
  });

  test("demo sign-in: allowed outside production without OIDC, in production only with JOBDECK_DEMO_AUTH=1, never with =0", () => {
    expect(readAuthSettings({ NODE_ENV: "development" }).demo).toBe(true);
    expect(readAuthSettings({ NODE_ENV: "test" }).demo).toBe(true);
    expect(readAuthSettings({ NODE_ENV: "production" }).demo).toBe(false);
    expect(readAuthSettings({ NODE_ENV: "production", JOBDECK_DEMO_AUTH: "1" }).demo).toBe(true);
    expect(readAuthSettings({ NODE_ENV: "development", JOBDECK_DEMO_AUTH: "0" }).demo).toBe(false);
    expect(readAuthSettings({ NODE_ENV: "production", ...OIDC }).demo).toBe(false);
    expect(() => readAuthSettings({ JOBDECK_DEMO_AUTH: "yes" })).toThrow(/JOBDECK_DEMO_AUTH must be 1 or 0/);
  });

  test("a bad JOBDECK_ROLE_MAP is a configuration error naming the part", () => {
    expect(() => readAuthSettings({ JOBDECK_ROLE_MAP: "ops=superuser" })).toThrow(AuthConfigError);
    expect(() => readAuthSettings({ JOBDECK_ROLE_MAP: "ops=superuser" })).toThrow(/"ops=superuser"/);
  });

  test("the secret: NEXTAUTH_SECRET, else AUTH_SECRET", () => {
    expect(readAuthSettings({ NODE_ENV: "production", NEXTAUTH_SECRET: "a" }).secret).toBe("a");
    expect(readAuthSettings({ NODE_ENV: "production", AUTH_SECRET: "b" }).secret).toBe("b");
  });

  test("the session cookie is __Secure- prefixed when secure", () => {
    expect(sessionCookieName(true)).toBe("__Secure-next-auth.session-token");
    expect(sessionCookieName(false)).toBe("next-auth.session-token");
  });
});

describe("startupProblem", () => {
  test("production with neither OIDC nor demo: refused, naming both ways out", () => {
    const p = startupProblem(readAuthSettings({ NODE_ENV: "production", NEXTAUTH_SECRET: "x" }));
    expect(p).toMatch(/no sign-in is configured/);
    expect(p).toContain("OIDC_ISSUER");
    expect(p).toContain("JOBDECK_DEMO_AUTH=1");
  });

  test("production without NEXTAUTH_SECRET: refused", () => {
    expect(startupProblem(readAuthSettings({ NODE_ENV: "production", JOBDECK_DEMO_AUTH: "1" }))).toMatch(/NEXTAUTH_SECRET is not set/);
  });

  test("production OIDC without NEXTAUTH_URL: refused; with it: fine", () => {
    const before = process.env.NEXTAUTH_URL;
    try {
      delete process.env.NEXTAUTH_URL;
      expect(startupProblem(readAuthSettings({ NODE_ENV: "production", NEXTAUTH_SECRET: "x", ...OIDC }))).toMatch(/NEXTAUTH_URL is not set/);
      process.env.NEXTAUTH_URL = "https://jobdeck.example.com";
      expect(startupProblem(readAuthSettings({ NODE_ENV: "production", NEXTAUTH_SECRET: "x", ...OIDC }))).toBeNull();
    } finally {
      if (before === undefined) delete process.env.NEXTAUTH_URL;
      else process.env.NEXTAUTH_URL = before;
    }
  });

  test("fine: production demo on purpose with a secret; development with nothing", () => {
    expect(startupProblem(readAuthSettings({ NODE_ENV: "production", JOBDECK_DEMO_AUTH: "1", NEXTAUTH_SECRET: "x" }))).toBeNull();
    expect(startupProblem(readAuthSettings({ NODE_ENV: "development" }))).toBeNull();
  });
});
