// Where the groups come from, so single sign-on works without tuning per identity provider:
// - the scope: without OIDC_SCOPE, "openid email profile" plus the scope named like the roles
//   claim's first segment (`groups` by default) when the provider's discovery document lists it in
//   scopes_supported — many providers release groups only when that scope is asked for;
// - the claims: the ID token's, completed from the userinfo endpoint when they lack the roles
//   claim — some providers put requested claims only there (OIDC Core 5.4).
import { claimAt } from "./role-map";
import type { OidcSettings } from "./settings";

export const DEFAULT_OIDC_SCOPE = "openid email profile";

type Claims = Record<string, unknown>;

/** The scope to ask for when a sign-in starts. Never throws: without discovery, the default. */
export async function oidcScope(oidc: OidcSettings, rolesClaim: string): Promise<string> {
  if (oidc.scope) return oidc.scope;
  const wanted = rolesClaim.split(".")[0];
  if (DEFAULT_OIDC_SCOPE.split(" ").includes(wanted)) return DEFAULT_OIDC_SCOPE;
  try {
    const r = await fetch(`${oidc.issuer}/.well-known/openid-configuration`, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(5000) });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const supported = ((await r.json()) as { scopes_supported?: unknown }).scopes_supported;
    if (Array.isArray(supported) && supported.includes(wanted)) return `${DEFAULT_OIDC_SCOPE} ${wanted}`;
  } catch (err) {
    console.warn(`[jobdeck] could not read the identity provider's discovery document for its scopes: ${String((err as Error).message).slice(0, 200)}`);
  }
  return DEFAULT_OIDC_SCOPE;
}

/**
 * The ID token's claims, completed from userinfo when the roles claim is missing (claims the ID
 * token has win). `userinfo` must check that its `sub` is the ID token's (openid-client does). A
 * userinfo failure is logged and the ID token's claims stand: the no-access page then says no
 * groups arrived.
 */
export async function claimsWithUserinfo(idClaims: Claims, rolesClaim: string, userinfo: (() => Promise<Claims>) | null): Promise<Claims> {
  if (claimAt(idClaims, rolesClaim) !== undefined || !userinfo) return idClaims;
  try {
    return { ...(await userinfo()), ...idClaims };
  } catch (err) {
    console.error(`[jobdeck] auth userinfo: ${String((err as Error).message).split("\n")[0].slice(0, 200)}`);
    return idClaims;
  }
}
