// Who is acting, and what they may do. getCaller() reads the next-auth session cookie of the
// current request (lib/auth/session.ts) and returns null for an anonymous one; API routes first
// look for an `Authorization: Bearer` API token (lib/api/route.ts). authorize() is the single
// place every server action and every route checks a role; maySeeSecrets() the single place that
// decides who sees secret values in job data.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Actor } from "../audit/record";
import { type Redaction, redaction } from "../redact";
import { type Role, rolesInclude } from "./roles";
import { callerFromClaims, readSessionClaims } from "./session";
import { authSettings, secureCookiesFor } from "./settings";
import type { TokenScope } from "./tokens";

export { ROLES, type Role } from "./roles";

export interface Caller {
  /** Email (or subject) of a signed-in user; `token:<name>` for an API token. */
  name: string;
  /** Held roles; empty for a signed-in user none of whose groups maps to a role (no access). */
  roles: readonly Role[];
  /** How the caller was identified. */
  source: "session" | "demo" | "token";
  /** Session callers: the identity provider's subject, their groups (oidc), when the session ends. */
  subject?: string;
  groups?: readonly string[];
  expiresAt?: Date;
  /** API tokens only: what the token may do on top of its role. Absent = not limited by scopes. */
  scopes?: readonly TokenScope[];
  /** API tokens only: the person or team responsible for the token (audited with its name). */
  owner?: string;
  tokenId?: number;
}

// Code that runs outside a Next request (tests, scripts) names its caller explicitly with
// runAsCaller(); nothing a request sends can reach this.
const explicitCaller = new AsyncLocalStorage<{ caller: Caller | null }>();

/** Runs `fn` with getCaller() returning `caller` (null = anonymous). For tests and scripts. */
export function runAsCaller<T>(caller: Caller | null, fn: () => T): T {
  return explicitCaller.run({ caller }, fn);
}

/** The caller of the current request, or null when nobody (or an expired session) is signed in. */
export async function getCaller(): Promise<Caller | null> {
  const explicit = explicitCaller.getStore();
  if (explicit) return explicit.caller;
  let cookieJar: Record<string, string>;
  let headerList: Headers;
  try {
    const { cookies, headers } = await import("next/headers");
    cookieJar = Object.fromEntries((await cookies()).getAll().map((c) => [c.name, c.value]));
    headerList = await headers();
  } catch {
    return null; // outside a request and without runAsCaller: nobody
  }
  const settings = authSettings();
  const claims = await readSessionClaims(cookieJar, settings, secureCookiesFor(headerList));
  return callerFromClaims(claims, settings);
}

export class AuthorizationError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = "AuthorizationError";
  }
}

/** Whether the caller holds `role` or a stronger one (admin ⊃ operator ⊃ viewer). */
export function hasRole(caller: Caller | null, role: Role): boolean {
  return !!caller && rolesInclude(caller.roles, role);
}

/**
 * The one role check: throws AuthorizationError (401 without a caller, 403 without the role).
 * Every server action (lib/actions/safe-action) and every API route (lib/api/route) calls it.
 */
export function authorize(caller: Caller | null, role: Role): asserts caller is Caller {
  if (!caller) throw new AuthorizationError(401, "sign in to do this (no session, or it has ended)");
  if (!hasRole(caller, role)) {
    throw new AuthorizationError(403, `this needs the ${role} role; ${caller.name} is ${caller.roles.length ? caller.roles.join(", ") : "without a Jobdeck role"}`);
  }
}

/** Whether the caller may use `scope`: callers without scopes (sessions) are limited only by role. */
export function hasScope(caller: Caller | null, scope: TokenScope): boolean {
  return !!caller && (caller.scopes === undefined || caller.scopes.includes(scope));
}

/** Throws AuthorizationError 403 when an API token lacks `scope` (401 without a caller). */
export function authorizeScope(caller: Caller | null, scope: TokenScope): asserts caller is Caller {
  if (!caller) throw new AuthorizationError(401, "sign in or send an API token to do this");
  if (!hasScope(caller, scope)) {
    throw new AuthorizationError(403, `this needs the ${scope} scope; the token has ${caller.scopes?.join(", ") || "no scopes"}`);
  }
}

/**
 * The one rule for secrets in job data (payload, result and campaign params keys named in
 * JOBDECK_REDACT_KEYS): admins see them; a token sees them only with the jobs:read-secrets scope;
 * everyone else — viewers, operators, jobs:read and jobs:write tokens — gets "••••". Pages, the
 * API and its exports all ask here (through redactionFor).
 */
export function maySeeSecrets(caller: Caller | null): boolean {
  if (!caller) return false;
  return hasRole(caller, "admin") || (caller.source === "token" && !!caller.scopes?.includes("jobs:read-secrets"));
}

/** What `caller` gets of job data: masked, or the stored values (lib/redact). */
export function redactionFor(caller: Caller | null): Redaction {
  return redaction(maySeeSecrets(caller));
}

/** The audit log's view of a caller: a token is recorded as `token:<name> (<owner>)`, a demo user with "(demo)". */
export function callerActor(caller: Caller): Actor {
  const name = caller.owner ? `${caller.name} (${caller.owner})` : caller.source === "demo" ? `${caller.name} (demo)` : caller.name;
  return { name, roles: caller.roles };
}
