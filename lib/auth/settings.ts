// How Jobdeck signs people in, read from the environment in one place:
//   OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET  the identity provider (all three, or none)
//   OIDC_ROLES_CLAIM (groups), JOBDECK_ROLE_MAP        which claim holds groups; group=role pairs
//   NEXTAUTH_URL, NEXTAUTH_SECRET                      public URL (https → Secure cookies); JWT key
//   JOBDECK_SESSION_HOURS (8)                          absolute session lifetime
//   JOBDECK_DEMO_AUTH                                  "1" allows the demo sign-in in production
// The demo sign-in (pick a demo viewer/operator/admin) exists only without OIDC outside
// production, or when JOBDECK_DEMO_AUTH=1 says so explicitly; a production server with neither
// refuses to start (lib/server/startup.ts).
import { DEFAULT_ROLE_MAP, parseRoleMap, type RoleMap } from "./role-map";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the sign-in button ("Sign in with Okta"); OIDC_DISPLAY_NAME, default "single sign-on". */
  displayName: string;
}

export interface AuthSettings {
  oidc: OidcSettings | null;
  demo: boolean;
  sessionHours: number;
  rolesClaim: string;
  roleMap: RoleMap;
  /** null only in production without NEXTAUTH_SECRET (startup refuses that). */
  secret: string | null;
  production: boolean;
}

export class AuthConfigError extends Error {}

// Outside production only: a fixed key so `next dev` works without set-up. Never used in
// production (readAuthSettings returns secret null there and start-up refuses).
const DEVELOPMENT_SECRET = "jobdeck-development-only-secret-never-used-in-production";

type Env = Record<string, string | undefined>;

export function readAuthSettings(env: Env = process.env): AuthSettings {
  const production = env.NODE_ENV === "production";
  const oidcVars = { OIDC_ISSUER: env.OIDC_ISSUER?.trim(), OIDC_CLIENT_ID: env.OIDC_CLIENT_ID?.trim(), OIDC_CLIENT_SECRET: env.OIDC_CLIENT_SECRET };
  const set = Object.entries(oidcVars).filter(([, v]) => v);
  if (set.length && set.length < 3) {
    const missing = Object.entries(oidcVars).filter(([, v]) => !v).map(([k]) => k);
    throw new AuthConfigError(`OIDC is half configured: set ${missing.join(" and ")} too (or unset ${set.map(([k]) => k).join(", ")})`);
  }
  let oidc: OidcSettings | null = null;
  if (set.length === 3) {
    const issuer = oidcVars.OIDC_ISSUER!.replace(/\/+$/, "");
    if (!/^https?:\/\/[^\s]+$/.test(issuer)) throw new AuthConfigError(`OIDC_ISSUER must be an http(s) URL (got "${issuer}")`);
    oidc = { issuer, clientId: oidcVars.OIDC_CLIENT_ID!, clientSecret: oidcVars.OIDC_CLIENT_SECRET!, displayName: env.OIDC_DISPLAY_NAME?.trim() || "single sign-on" };
  }

  const demoFlag = env.JOBDECK_DEMO_AUTH?.trim();
  if (demoFlag && demoFlag !== "0" && demoFlag !== "1") throw new AuthConfigError(`JOBDECK_DEMO_AUTH must be 1 or 0 (got "${demoFlag}")`);
  const demo = demoFlag === "1" || (demoFlag !== "0" && !oidc && !production);

  const hoursRaw = env.JOBDECK_SESSION_HOURS?.trim() || "8";
  const sessionHours = Number(hoursRaw);
  if (!/^\d+(\.\d+)?$/.test(hoursRaw) || !(sessionHours > 0) || sessionHours > 720) {
    throw new AuthConfigError(`JOBDECK_SESSION_HOURS must be a number of hours above 0 and at most 720 (got "${hoursRaw}")`);
  }

  let roleMap: RoleMap;
  try {
    roleMap = parseRoleMap(env.JOBDECK_ROLE_MAP?.trim() || DEFAULT_ROLE_MAP);
  } catch (err) {
    throw new AuthConfigError((err as Error).message);
  }

  const secret = env.NEXTAUTH_SECRET || env.AUTH_SECRET || (production ? null : DEVELOPMENT_SECRET);
  return { oidc, demo, sessionHours, rolesClaim: env.OIDC_ROLES_CLAIM?.trim() || "groups", roleMap, secret, production };
}

/** Why a server with these settings must not start, or null. */
export function startupProblem(s: AuthSettings): string | null {
  if (s.production && !s.oidc && !s.demo) {
    return "no sign-in is configured: set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or JOBDECK_DEMO_AUTH=1 to allow the demo sign-in on purpose)";
  }
  if (s.production && !s.secret) return "NEXTAUTH_SECRET is not set: sessions need a secret key (e.g. `openssl rand -base64 32`)";
  if (s.oidc && s.production && !process.env.NEXTAUTH_URL) return "NEXTAUTH_URL is not set: the identity provider redirects back to <NEXTAUTH_URL>/api/auth/callback/oidc";
  return null;
}

let cached: { key: string; settings: AuthSettings } | null = null;

/** The settings of this process (parsed once per distinct environment). Throws AuthConfigError. */
export function authSettings(): AuthSettings {
  const e = process.env;
  const key = [e.NODE_ENV, e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET, e.OIDC_DISPLAY_NAME, e.JOBDECK_DEMO_AUTH, e.JOBDECK_SESSION_HOURS, e.JOBDECK_ROLE_MAP, e.OIDC_ROLES_CLAIM, e.NEXTAUTH_SECRET, e.AUTH_SECRET].join("\u0000");
  if (cached?.key !== key) cached = { key, settings: readAuthSettings(e) };
  return cached.settings;
}

/** Session cookies carry the `__Secure-` prefix and the Secure flag when Jobdeck is served over https. */
export function secureCookiesFor(headers?: Headers): boolean {
  const url = process.env.NEXTAUTH_URL;
  if (url) return url.startsWith("https://");
  return (headers?.get("x-forwarded-proto") ?? "").split(",")[0].trim() === "https";
}

export function sessionCookieName(secure: boolean): string {
  return secure ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

/** Whether a request still carries a session cookie (whole or chunked), valid or not: then a missing caller means "ended". */
export function holdsSessionCookie(has: (name: string) => boolean): boolean {
  return [sessionCookieName(false), sessionCookieName(true)].some((n) => has(n) || has(`${n}.0`));
}
