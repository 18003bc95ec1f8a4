// lib/auth/session: a decoded session cookie → the caller it stands for. The lifetime is absolute
// (auth_time + JOBDECK_SESSION_HOURS), and roles are worked out from the settings of now.
import { describe, expect, test } from "vitest";
import { buildAuthOptions } from "../../lib/auth/next-auth-options";
import { callerFromClaims, sessionEndsAt, type SessionClaims } from "../../lib/auth/session";
import { readAuthSettings } from "../../lib/auth/settings";

const OIDC = { OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "jobdeck", OIDC_CLIENT_SECRET: "s3cret" };
const oidcOnly = readAuthSettings({ NEXTAUTH_SECRET: "x", ...OIDC }, true);
const demoOnly = readAuthSettings({ NEXTAUTH_SECRET: "x", JOBDECK_DEMO_AUTH: "1" }, true);
const both = readAuthSettings({ NEXTAUTH_SECRET: "x", JOBDECK_DEMO_AUTH: "force", ...OIDC, JOBDECK_SESSION_HOURS: "2" }, true);

const T0 = 1_800_000_000; // auth_time of the sessions below
const oidcClaims: SessionClaims = { sub: "u-1", email: "ana@example.com", name: "Ana", src: "oidc", auth_time: T0, groups: ["jobdeck-operators"] };
const demoClaims: SessionClaims = { sub: "demo-admin", email: "admin@demo.jobdeck.local", src: "demo", auth_time: T0, role: "admin" };

describe("callerFromClaims", () => {
  test("an OIDC session: the email names the caller, roles come from the groups through the role map", () => {
    expect(callerFromClaims(oidcClaims, oidcOnly, T0 + 60)).toEqual({
      name: "ana@example.com",
      subject: "u-1",
      roles: ["operator"],
      groups: ["jobdeck-operators"],
      source: "session",
      expiresAt: new Date((T0 + 8 * 3600) * 1000),
    });
  });

  test("the lifetime is absolute from auth_time: valid one second before the end, gone at the end", () => {
    expect(sessionEndsAt(T0, { sessionHours: 8 })).toBe(T0 + 8 * 3600);
    expect(callerFromClaims(oidcClaims, oidcOnly, T0 + 8 * 3600 - 1)).not.toBeNull();
    expect(callerFromClaims(oidcClaims, oidcOnly, T0 + 8 * 3600)).toBeNull();
    // A cookie whose own exp was refreshed changes nothing: only auth_time counts.
    expect(callerFromClaims({ ...oidcClaims, exp: T0 + 100 * 3600 } as SessionClaims, oidcOnly, T0 + 9 * 3600)).toBeNull();
    // JOBDECK_SESSION_HOURS applies to sessions already signed in.
    expect(callerFromClaims(oidcClaims, both, T0 + 2 * 3600 - 1)?.expiresAt).toEqual(new Date((T0 + 2 * 3600) * 1000));
    expect(callerFromClaims(oidcClaims, both, T0 + 2 * 3600)).toBeNull();
  });

  test("unmapped groups → a signed-in caller with no roles (no access), not a viewer", () => {
    const c = callerFromClaims({ ...oidcClaims, groups: ["marketing"] }, oidcOnly, T0);
    expect(c).toMatchObject({ name: "ana@example.com", roles: [] });
    expect(callerFromClaims({ ...oidcClaims, groups: undefined }, oidcOnly, T0)).toMatchObject({ roles: [], groups: [] });
  });

  test("a changed role map applies at once to an existing session", () => {
    const remapped = readAuthSettings({ NEXTAUTH_SECRET: "x", ...OIDC, JOBDECK_ROLE_MAP: "jobdeck-operators=viewer" }, true);
    expect(callerFromClaims(oidcClaims, remapped, T0)?.roles).toEqual(["viewer"]);
  });

  test("demo sessions: honoured while demo sign-in is on, refused the moment it is off", () => {
    expect(callerFromClaims(demoClaims, demoOnly, T0)).toMatchObject({ name: "admin@demo.jobdeck.local", roles: ["admin"], source: "demo" });
    expect(callerFromClaims(demoClaims, oidcOnly, T0)).toBeNull();
    expect(callerFromClaims({ ...demoClaims, role: "root" as never }, demoOnly, T0)).toBeNull();
    expect(callerFromClaims({ ...demoClaims, role: undefined }, demoOnly, T0)).toBeNull();
  });

  test("OIDC sessions are refused when OIDC is not configured", () => {
    expect(callerFromClaims(oidcClaims, demoOnly, T0)).toBeNull();
  });

  test("no claims, no subject, no auth_time or an unknown source → nobody", () => {
    expect(callerFromClaims(null, both, T0)).toBeNull();
    expect(callerFromClaims({ ...oidcClaims, sub: undefined }, both, T0)).toBeNull();
    expect(callerFromClaims({ ...oidcClaims, auth_time: undefined }, both, T0)).toBeNull();
    expect(callerFromClaims({ ...oidcClaims, src: undefined }, both, T0)).toBeNull();
  });

  test("the name falls back from email to name to subject", () => {
    expect(callerFromClaims({ ...oidcClaims, email: null }, oidcOnly, T0)?.name).toBe("Ana");
    expect(callerFromClaims({ ...oidcClaims, email: null, name: null }, oidcOnly, T0)?.name).toBe("u-1");
  });
});

describe("buildAuthOptions", () => {
  // next-auth v4 keeps a credentials provider's own id in `options` until it merges them.
  const ids = (o: ReturnType<typeof buildAuthOptions>) => o.providers.map((p) => (p as { options?: { id?: string } }).options?.id ?? p.id);

  test("providers follow the settings; the cookie outlives the session by a day (so its end can be told apart)", () => {
    expect(ids(buildAuthOptions(both, true))).toEqual(["oidc", "demo"]);
    expect(ids(buildAuthOptions(oidcOnly, true))).toEqual(["oidc"]);
    expect(ids(buildAuthOptions(demoOnly, false))).toEqual(["demo"]);
    const o = buildAuthOptions(both, true);
    expect(o.session).toMatchObject({ strategy: "jwt", maxAge: 2 * 3600 + 86_400 });
    expect(o.jwt?.maxAge).toBe(2 * 3600 + 86_400);
    expect(o.useSecureCookies).toBe(true);
    expect(buildAuthOptions(both, false).useSecureCookies).toBe(false);
  });
});
