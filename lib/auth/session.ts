// The session cookie → the caller it stands for. The cookie is next-auth's encrypted JWT; what
// Jobdeck puts in it (see next-auth-options.ts) is the identity and where it came from:
//   { sub, email, name, src: "oidc" | "demo", auth_time, groups? (oidc), role? (demo) }
// Roles are worked out here on every request, not frozen into the cookie, so a changed
// JOBDECK_ROLE_MAP applies at once, and a demo session stops working the moment demo sign-in is
// turned off. The lifetime is absolute: auth_time + JOBDECK_SESSION_HOURS, whatever the cookie says.
import { getToken, type JWT } from "next-auth/jwt";
import type { Caller } from "./caller";
import { roleForGroups } from "./role-map";
import { type Role, ROLES } from "./roles";
import { type AuthSettings, sessionCookieName } from "./settings";

export interface SessionClaims {
  sub?: string;
  email?: string | null;
  name?: string | null;
  src?: "oidc" | "demo";
  auth_time?: number;
  groups?: string[];
  role?: Role;
}

/** Seconds since the epoch at which a session signed in at `authTime` ends. */
export function sessionEndsAt(authTime: number, settings: Pick<AuthSettings, "sessionHours">): number {
  return authTime + Math.round(settings.sessionHours * 3600);
}

/** The caller a decoded session stands for, or null when it is expired or no longer allowed. */
export function callerFromClaims(claims: SessionClaims | null, settings: AuthSettings, nowSeconds = Date.now() / 1000): Caller | null {
  if (!claims?.sub || typeof claims.auth_time !== "number") return null;
  if (sessionEndsAt(claims.auth_time, settings) <= nowSeconds) return null;
  const name = claims.email || claims.name || claims.sub;
  const expiresAt = new Date(sessionEndsAt(claims.auth_time, settings) * 1000);
  if (claims.src === "demo") {
    if (!settings.demo || !claims.role || !(ROLES as readonly string[]).includes(claims.role)) return null;
    return { name, subject: claims.sub, roles: [claims.role], source: "demo", expiresAt };
  }
  if (claims.src === "oidc") {
    if (!settings.oidc) return null;
    const groups = Array.isArray(claims.groups) ? claims.groups : [];
    const role = roleForGroups(groups, settings.roleMap);
    return { name, subject: claims.sub, roles: role ? [role] : [], groups, source: "session", expiresAt };
  }
  return null;
}

/**
 * Reads and decrypts the session cookie (next-auth splits big cookies into `.0`, `.1`, … chunks;
 * getToken joins them). Never looks at an Authorization header: that is for API tokens.
 */
export async function readSessionClaims(cookies: Record<string, string>, settings: AuthSettings, secure: boolean): Promise<SessionClaims | null> {
  if (!settings.secret) return null;
  const token: JWT | null = await getToken({
    req: { cookies, headers: {} } as unknown as Parameters<typeof getToken>[0]["req"],
    secret: settings.secret,
    secureCookie: secure,
    cookieName: sessionCookieName(secure),
    logger: { error: () => {}, warn: () => {}, debug: () => {} },
  });
  return token as SessionClaims | null;
}
