// lib/auth/settings: how sign-in is read from the environment, and when a server must not start.
// readAuthSettings(env, production): "production" is how the code was built (builtForProduction),
// never the NODE_ENV in env.
import { describe, expect, test } from "vitest";
import { AuthConfigError, readAuthSettings, sessionCookieName, startupProblem } from "../../lib/auth/settings";

const OIDC = { OIDC_ISSUER: "https://id.example.com/", OIDC_CLIENT_ID: "jobdeck", OIDC_CLIENT_SECRET: "s3cret" };

describe("readAuthSettings", () => {
  test("defaults under `next dev`: demo sign-in on, 8 h sessions, groups claim, default role map, a development secret", () => {
    const s = readAuthSettings({}, false);
    expect(s).toMatchObject({ oidc: null, demo: true, sessionHours: 8, rolesClaim: "groups", production: false });
    expect(s.roleMap).toEqual([
      { group: "jobdeck-admins", role: "admin" },
      { group: "jobdeck-operators", role: "operator" },
      { group: "jobdeck-viewers", role: "viewer" },
    ]);
    expect(s.secret).toEqual(expect.any(String));
  });

  test("production without anything: no OIDC, no demo, no secret", () => {
    expect(readAuthSettings({}, true)).toMatchObject({ oidc: null, demo: false, secret: null, production: true });
  });

  test("full OIDC: the issuer loses its trailing slash, the display name defaults, the scope is worked out; demo is off", () => {
    const s = readAuthSettings({ ...OIDC }, false);
    expect(s.oidc).toEqual({ issuer: "https://id.example.com", clientId: "jobdeck", clientSecret: "s3cret", displayName: "single sign-on", scope: null });
    expect(s).toMatchObject({ demo: false, demoAlongsideSso: false });
    expect(readAuthSettings({ ...OIDC, OIDC_DISPLAY_NAME: "Okta", OIDC_SCOPE: " openid groups " }, false).oidc).toMatchObject({ displayName: "Okta", scope: "openid groups" });
  });

  test("production is how the code was built: NODE_ENV in the environment changes nothing", () => {
    for (const NODE_ENV of ["staging", "development", "test", undefined]) {
      const s = readAuthSettings({ NODE_ENV }, true);
      expect(s, `NODE_ENV=${NODE_ENV}`).toMatchObject({ production: true, demo: false, secret: null });
      expect(startupProblem(s), `NODE_ENV=${NODE_ENV}`).toMatch(/no sign-in is configured/);
      expect(startupProblem(readAuthSettings({ NODE_ENV, JOBDECK_DEMO_AUTH: "1" }, true)), `NODE_ENV=${NODE_ENV}`).toMatch(/NEXTAUTH_SECRET is not set/);
    }
    // ...and NODE_ENV=production does not make a development server strict.
    expect(readAuthSettings({ NODE_ENV: "production" }, false)).toMatchObject({ production: false, demo: true, secret: expect.any(String) });
  });

  test.each([
    [{ OIDC_ISSUER: "https://id.example.com" }, ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]],
    [{ OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "x" }, ["OIDC_CLIENT_SECRET"]],
    [{ OIDC_CLIENT_SECRET: "x" }, ["OIDC_ISSUER", "OIDC_CLIENT_ID"]],
    [{ OIDC_ISSUER: "   ", OIDC_CLIENT_ID: "x", OIDC_CLIENT_SECRET: "y" }, ["OIDC_ISSUER"]],
  ])("half-configured OIDC %j is an error naming %j", (env, missing) => {
    let err: unknown;
    try {
      readAuthSettings({ ...env }, true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AuthConfigError);
    expect((err as Error).message).toMatch(/half configured/);
    for (const m of missing) expect((err as Error).message).toContain(m);
  });

  test("an OIDC issuer that is not a URL is refused", () => {
    expect(() => readAuthSettings({ ...OIDC, OIDC_ISSUER: "id.example.com" })).toThrow(/OIDC_ISSUER must be an https URL \(got "id.example.com"\)/);
    expect(() => readAuthSettings({ ...OIDC, OIDC_ISSUER: "https://" })).toThrow(/OIDC_ISSUER must be an https URL/);
  });

  test.each(["http://id.example.com", "http://10.0.0.5:8080/realms/ops", "http://localhost.example.com", "ftp://id.example.com"])(
    "a plain-http (or other scheme) issuer %s is refused, in production and under next dev alike",
    (issuer) => {
      for (const production of [true, false]) {
        expect(() => readAuthSettings({ ...OIDC, OIDC_ISSUER: issuer }, production)).toThrow(AuthConfigError);
        expect(() => readAuthSettings({ ...OIDC, OIDC_ISSUER: issuer }, production)).toThrow(/OIDC_ISSUER must be an https URL/);
      }
    },
  );

  test.each(["https://id.example.com/realms/ops", "http://localhost:8080", "http://127.0.0.1:3190", "http://[::1]:9000/"])("the issuer %s is accepted", (issuer) => {
    expect(readAuthSettings({ ...OIDC, OIDC_ISSUER: issuer }, true).oidc?.issuer).toBe(issuer.replace(/\/$/, ""));
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

  test("demo sign-in: under next dev without OIDC, in production only with JOBDECK_DEMO_AUTH=1, never with =0", () => {
    expect(readAuthSettings({}, false).demo).toBe(true);
    expect(readAuthSettings({}, true).demo).toBe(false);
    expect(readAuthSettings({ JOBDECK_DEMO_AUTH: "1" }, true).demo).toBe(true);
    expect(readAuthSettings({ JOBDECK_DEMO_AUTH: "0" }, false).demo).toBe(false);
    expect(readAuthSettings({ ...OIDC }, true).demo).toBe(false);
    expect(readAuthSettings({ ...OIDC }, false).demo).toBe(false);
    expect(() => readAuthSettings({ JOBDECK_DEMO_AUTH: "yes" })).toThrow(/JOBDECK_DEMO_AUTH must be 1, 0 or force/);
  });

  test("demo users beside single sign-on: JOBDECK_DEMO_AUTH=1 is refused naming force; force offers both and says so", () => {
    for (const production of [true, false]) {
      expect(() => readAuthSettings({ ...OIDC, JOBDECK_DEMO_AUTH: "1" }, production)).toThrow(AuthConfigError);
      expect(() => readAuthSettings({ ...OIDC, JOBDECK_DEMO_AUTH: "1" }, production)).toThrow(/JOBDECK_DEMO_AUTH=1 and single sign-on .* JOBDECK_DEMO_AUTH=force/);
      expect(readAuthSettings({ ...OIDC, JOBDECK_DEMO_AUTH: "force" }, production)).toMatchObject({ demo: true, demoAlongsideSso: true, oidc: { clientId: "jobdeck" } });
    }
    // Without OIDC, force is the same as 1.
    expect(readAuthSettings({ JOBDECK_DEMO_AUTH: "force" }, true)).toMatchObject({ demo: true, demoAlongsideSso: false });
    expect(readAuthSettings({ JOBDECK_DEMO_AUTH: "1" }, true)).toMatchObject({ demo: true, demoAlongsideSso: false });
  });

  test("a bad JOBDECK_ROLE_MAP is a configuration error naming the part", () => {
    expect(() => readAuthSettings({ JOBDECK_ROLE_MAP: "ops=superuser" })).toThrow(AuthConfigError);
    expect(() => readAuthSettings({ JOBDECK_ROLE_MAP: "ops=superuser" })).toThrow(/"ops=superuser"/);
  });

  test("the secret: NEXTAUTH_SECRET, else AUTH_SECRET", () => {
    expect(readAuthSettings({ NEXTAUTH_SECRET: "a" }, true).secret).toBe("a");
    expect(readAuthSettings({ AUTH_SECRET: "b" }, true).secret).toBe("b");
  });

  test("the session cookie is __Secure- prefixed when secure", () => {
    expect(sessionCookieName(true)).toBe("__Secure-next-auth.session-token");
    expect(sessionCookieName(false)).toBe("next-auth.session-token");
  });
});

describe("startupProblem", () => {
  test("production with neither OIDC nor demo: refused, naming both ways out", () => {
    const p = startupProblem(readAuthSettings({ NEXTAUTH_SECRET: "x" }, true));
    expect(p).toMatch(/no sign-in is configured/);
    expect(p).toContain("OIDC_ISSUER");
    expect(p).toContain("JOBDECK_DEMO_AUTH=1");
  });

  test("production without NEXTAUTH_SECRET: refused", () => {
    expect(startupProblem(readAuthSettings({ JOBDECK_DEMO_AUTH: "1" }, true))).toMatch(/NEXTAUTH_SECRET is not set/);
  });

  test("production OIDC without NEXTAUTH_URL: refused; with it: fine", () => {
    const before = process.env.NEXTAUTH_URL;
    try {
      delete process.env.NEXTAUTH_URL;
      expect(startupProblem(readAuthSettings({ NEXTAUTH_SECRET: "x", ...OIDC }, true))).toMatch(/NEXTAUTH_URL is not set/);
      process.env.NEXTAUTH_URL = "https://jobdeck.example.com";
      expect(startupProblem(readAuthSettings({ NEXTAUTH_SECRET: "x", ...OIDC }, true))).toBeNull();
    } finally {
      if (before === undefined) delete process.env.NEXTAUTH_URL;
      else process.env.NEXTAUTH_URL = before;
    }
  });

  test("fine: production demo on purpose with a secret; next dev with nothing", () => {
    expect(startupProblem(readAuthSettings({ JOBDECK_DEMO_AUTH: "1", NEXTAUTH_SECRET: "x" }, true))).toBeNull();
    expect(startupProblem(readAuthSettings({}, false))).toBeNull();
  });
});
