// Sign-ins in the audit log (audit_events), beside every change, so /audit filters them with `auth.*`:
//   auth.sign_in           outcome ok       who, role, provider (oidc|demo), subject, groups
//   auth.sign_out          outcome ok       who, the role they held (none once the session had ended)
//   auth.sign_in_refused   outcome refused  no group maps to a role, the identity provider said no,
//                                           the sign-in expired (or was replayed), or its answer
//                                           could not be verified
// Never a token, a code or the provider's own error text (it can carry state values): the reason
// is one of the sentences below. A sign-in changes no data, so a failed write is logged and does not
// stop it.
import "server-only";
import { type AuditEntry, recordAudit } from "../audit/record";
import { getDb } from "../server/db";
import { callerFromClaims, type SessionClaims } from "./session";
import { roleForGroups } from "./role-map";
import type { Role } from "./roles";
import type { AuthSettings } from "./settings";

/** An error next-auth reported while handling one request (its logger code and message). */
export interface AuthError {
  code: string;
  message: string;
}

const MAX_GROUPS_RECORDED = 100;

async function write(e: AuditEntry): Promise<void> {
  try {
    const db = await getDb();
    await recordAudit(db, e);
  } catch (err) {
    console.error(`[jobdeck] could not write the audit row ${e.action} for ${e.actor.name}: ${String((err as Error).message).split("\n")[0].slice(0, 200)}`);
  }
}

const nameOf = (who: { sub?: string | null; email?: string | null; name?: string | null }) => who.email || who.name || who.sub || "unknown";

/** A completed sign-in: auth.sign_in, or auth.sign_in_refused when no group maps to a role. */
export async function auditSignIn(
  settings: AuthSettings,
  who: { provider: string; sub?: string | null; email?: string | null; name?: string | null; groups?: string[]; role?: Role },
): Promise<void> {
  const role = who.provider === "demo" ? (who.role ?? null) : roleForGroups(who.groups ?? [], settings.roleMap);
  const details = {
    provider: who.provider,
    subject: who.sub ?? null,
    ...(who.groups ? { groups: who.groups.slice(0, MAX_GROUPS_RECORDED), groups_total: who.groups.length } : {}),
  };
  if (!role) {
    await write({
      actor: { name: nameOf(who), roles: [] },
      action: "auth.sign_in_refused",
      affected: 0,
      outcome: "refused",
      reason: "no role: none of the user's groups maps to a Jobdeck role (JOBDECK_ROLE_MAP)",
      details,
    });
    return;
  }
  await write({ actor: { name: nameOf(who), roles: [role] }, action: "auth.sign_in", affected: 0, outcome: "ok", details });
}

/** A sign-out, with the role the session held (none when it had already ended). */
export async function auditSignOut(settings: AuthSettings, claims: SessionClaims | null): Promise<void> {
  if (!claims) return;
  const caller = callerFromClaims(claims, settings);
  await write({
    actor: { name: nameOf(claims), roles: caller?.roles ?? [] },
    action: "auth.sign_out",
    affected: 0,
    outcome: "ok",
    details: { provider: claims.src ?? null, subject: claims.sub ?? null, ...(caller ? {} : { session_ended: true }) },
  });
}

// An OAuth error code as the provider sent it back (`access_denied`, `login_required`); anything
// else in that parameter is not repeated.
const OAUTH_ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;
// next-auth's state/PKCE cookies live 15 minutes; an authorization code is single-use and short-lived.
const EXPIRED = /cookie was missing|expired|invalid_grant/i;

/**
 * A sign-in that ended in next-auth's error page: `providerError` is the `error` parameter the
 * identity provider sent back, if any; `errors` what next-auth reported while handling it.
 */
export async function auditRefusedSignIn(provider: string, errors: AuthError[], providerError: string | null): Promise<void> {
  let kind: "provider_error" | "expired" | "unverified";
  let reason: string;
  const details: Record<string, unknown> = { provider, next_auth_errors: [...new Set(errors.map((e) => e.code))] };
  if (providerError) {
    kind = "provider_error";
    const code = OAUTH_ERROR_CODE.test(providerError) ? providerError : "an unrecognised error";
    reason = `the identity provider refused the sign-in: ${code}`;
    details.provider_error = code;
  } else if (errors.some((e) => EXPIRED.test(e.message))) {
    kind = "expired";
    reason = "the sign-in expired or was already used (it must finish within 15 minutes); the user has to start again";
  } else {
    kind = "unverified";
    reason = "the identity provider's answer could not be verified";
  }
  await write({ actor: { name: "anonymous", roles: [] }, action: "auth.sign_in_refused", affected: 0, outcome: "refused", reason, details: { ...details, kind } });
}

/** A demo sign-in asking for a role that is not one of the demo users. */
export async function auditRefusedDemoSignIn(): Promise<void> {
  await write({
    actor: { name: "anonymous", roles: [] },
    action: "auth.sign_in_refused",
    affected: 0,
    outcome: "refused",
    reason: "not one of the demo users (viewer, operator, admin)",
    details: { provider: "demo", kind: "unknown_demo_user" },
  });
}
