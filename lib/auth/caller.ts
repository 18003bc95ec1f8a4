// Who is acting, and what they may do. There is no login yet: every caller is the local
// operator with the admin role. Issue 5 (OIDC sign-in, viewer/operator/admin roles) replaces
// getCaller() with one that reads the next-auth session (and API tokens), returning null for an
// anonymous request; authorize() stays the single place every action and route checks a role.
import type { Actor } from "../audit/record";
import type { TokenScope } from "./tokens";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  /** Email or subject of a signed-in user, `token:<name>` for an API token; today "local-operator". */
  name: string;
  roles: readonly Role[];
  /** How the caller was identified. */
  source: "unauthenticated-local" | "session" | "token" | "demo";
  /** API tokens only: what the token may do on top of its role. Absent = not limited by scopes. */
  scopes?: readonly TokenScope[];
  /** API tokens only: the person or team responsible for the token (audited with its name). */
  owner?: string;
  tokenId?: number;
}

/** The caller of the current request, or null when nobody is signed in. */
export async function getCaller(): Promise<Caller | null> {
  // Issue 5: read the session here (getServerSession / bearer token) and map claims to roles.
  return { name: "local-operator", roles: ["admin"], source: "unauthenticated-local" };
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

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the caller holds `role` or a stronger one (admin ⊃ operator ⊃ viewer). */
export function hasRole(caller: Caller | null, role: Role): boolean {
  return !!caller && caller.roles.some((r) => RANK[r] >= RANK[role]);
}

/**
 * The one role check: throws AuthorizationError (401 without a caller, 403 without the role).
 * Every server action (lib/actions/safe-action) and every mutating API route calls it.
 */
export function authorize(caller: Caller | null, role: Role): asserts caller is Caller {
  if (!caller) throw new AuthorizationError(401, "sign in to do this");
  if (!hasRole(caller, role)) throw new AuthorizationError(403, `this needs the ${role} role; you are ${caller.roles.join(", ") || "without a role"}`);
}

/** Whether the caller may use `scope`: callers without scopes (sessions, the local operator) are limited only by role. */
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

/** The audit log's view of a caller: a token is recorded as `token:<name> (<owner>)`. */
export function callerActor(caller: Caller): Actor {
  return { name: caller.owner ? `${caller.name} (${caller.owner})` : caller.name, roles: caller.roles };
}
