// How Jobdeck signs people in, read from the environment in one place:
//   OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET  the identity provider (all three, or none)
//   OIDC_ROLES_CLAIM (groups), JOBDECK_ROLE_MAP        which claim holds groups; group=role pairs
//   NEXTAUTH_URL, NEXTAUTH_SECRET                      public URL (https → Secure cookies); JWT key
//   OIDC_SCOPE                                         scopes to request (unset: worked out, oidc-discovery.ts)
//   JOBDECK_SESSION_HOURS (8)                          absolute session lifetime
//   JOBDECK_DEMO_AUTH                                  "1" demo sign-in without OIDC; "force" beside OIDC too
// "Production" is how this code was built (builtForProduction), never NODE_ENV at run time. The
// demo sign-in (pick a demo viewer/operator/admin) exists only under `next dev` without OIDC, or
// when JOBDECK_DEMO_AUTH says so explicitly; a production server with no sign-in, or without
// NEXTAUTH_SECRET, refuses to start (lib/server/startup.ts).
import { DEFAULT_ROLE_MAP, parseRoleMap, type RoleMap } from "./role-map";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the sign-in button ("Sign in with Okta"); OIDC_DISPLAY_NAME, default "single sign-on". */
  displayName: string;
  /** OIDC_SCOPE as set, or null: then the scope is worked out from the discovery document. */
  scope: string | null;
}

export interface AuthSettings {
  oidc: OidcSettings | null;
  demo: boolean;
  /** Demo users offered beside single sign-on (JOBDECK_DEMO_AUTH=force): every page says so. */
  demoAlongsideSso: boolean;
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

/**
 * Whether this code runs from a production build (`next build`, then `next start` or a standalone
 * server) rather than `next dev`. Next's compiler replaces the literal `process.env.NODE_ENV` in the
 * code it builds — "production" for `next build`, "development" for `next dev` — so the NODE_ENV a
 * server is started with (staging, unset, anything) cannot turn a production build's start-up
 * checks off. Outside Next's compiler (vitest, the CLI) it is the variable itself.
 */
export function builtForProduction(): boolean {
  return process.env.NODE_ENV === "production";
}

// An identity provider's issuer is https; plain http only on this machine (a local test provider).
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

function checkIssuer(raw: string): string {
  const issuer = raw.replace(/\/+$/, "");
  let url: URL | null = null;
  try {
    url = /^https?:\/\/[^\s]+$/.test(issuer) ? new URL(issuer) : null;
  } catch {
    url = null;
  }
  if (!url) throw new AuthConfigError(`OIDC_ISSUER must be an https URL (got "${issuer}")`);
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.includes(url.hostname)) {
    throw new AuthConfigError(`OIDC_ISSUER must be an https URL (got "${issuer}"); plain http is allowed only for localhost, 127.0.0.1 and ::1`);
  }
  return issuer;
}

export function readAuthSettings(env: Env = process.env, production = builtForProduction()): AuthSettings {
  const oidcVars = { OIDC_ISSUER: env.OIDC_ISSUER?.trim(), OIDC_CLIENT_ID: env.OIDC_CLIENT_ID?.trim(), OIDC_CLIENT_SECRET: env.OIDC_CLIENT_SECRET };
  const set = Object.entries(oidcVars).filter(([, v]) => v);
  if (set.length && set.length < 3) {
    const missing = Object.entries(oidcVars).filter(([, v]) => !v).map(([k]) => k);
    throw new AuthConfigError(`OIDC is half configured: set ${missing.join(" and ")} too (or unset ${set.map(([k]) => k).join(", ")})`);
  }
  let oidc: OidcSettings | null = null;
  if (set.length === 3) {
    oidc = {
      issuer: checkIssuer(oidcVars.OIDC_ISSUER!),
      clientId: oidcVars.OIDC_CLIENT_ID!,
      clientSecret: oidcVars.OIDC_CLIENT_SECRET!,
      displayName: env.OIDC_DISPLAY_NAME?.trim() || "single sign-on",
      scope: env.OIDC_SCOPE?.trim() || null,
    };
  }

  // Demo users beside single sign-on would let anyone who reaches the server in as an admin: only
  // when asked for by name ("force"), and then every page says so.
  const demoFlag = env.JOBDECK_DEMO_AUTH?.trim();
  if (demoFlag && !["0", "1", "force"].includes(demoFlag)) throw new AuthConfigError(`JOBDECK_DEMO_AUTH must be 1, 0 or force (got "${demoFlag}")`);
  if (demoFlag === "1" && oidc) {
    throw new AuthConfigError(
      "JOBDECK_DEMO_AUTH=1 and single sign-on (OIDC_*) are both set: the demo users would sign in beside your identity provider. Unset JOBDECK_DEMO_AUTH, or set JOBDECK_DEMO_AUTH=force to offer both on purpose",
    );
  }
  const demo = demoFlag === "1" || demoFlag === "force" || (!demoFlag && !oidc && !production);

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
  return { oidc, demo, demoAlongsideSso: demo && !!oidc, sessionHours, rolesClaim: env.OIDC_ROLES_CLAIM?.trim() || "groups", roleMap, secret, production };
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
  const key = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET, e.OIDC_DISPLAY_NAME, e.OIDC_SCOPE, e.JOBDECK_DEMO_AUTH, e.JOBDECK_SESSION_HOURS, e.JOBDECK_ROLE_MAP, e.OIDC_ROLES_CLAIM, e.NEXTAUTH_SECRET, e.AUTH_SECRET].join("\u0000");
  if (cached?.key !== key) cached = { key, settings: readAuthSettings(e) };
  return cached.settings;
}

/**
 * Whether Jobdeck is served over https: NEXTAUTH_URL says so when set; otherwise the proxy in front
 * does (X-Forwarded-Proto). Then session cookies carry the `__Secure-` prefix and the Secure flag,
 * and pages carry Strict-Transport-Security (proxy.ts).
 */
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
