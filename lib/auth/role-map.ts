// Identity-provider groups → Jobdeck roles. JOBDECK_ROLE_MAP is a comma-separated list of
// `<group>=<role>` pairs; `*` matches every signed-in user. A user gets the strongest role any of
// their groups maps to, or none (then Jobdeck says so and shows nothing else).
import { type Role, ROLES, strongestRole } from "./roles";

export const DEFAULT_ROLE_MAP = "jobdeck-admins=admin,jobdeck-operators=operator,jobdeck-viewers=viewer";

export type RoleMap = ReadonlyArray<{ group: string; role: Role }>;

export class RoleMapError extends Error {}

/** `jobdeck-admins=admin,*=viewer` → entries; throws RoleMapError naming the bad part. */
export function parseRoleMap(value: string): RoleMap {
  const out: { group: string; role: Role }[] = [];
  for (const part of value.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf("=");
    const group = eq > 0 ? part.slice(0, eq).trim() : "";
    const role = eq > 0 ? part.slice(eq + 1).trim() : "";
    if (!group || !(ROLES as readonly string[]).includes(role)) {
      throw new RoleMapError(`JOBDECK_ROLE_MAP: "${part}" must be <group>=<role> with role one of ${ROLES.join(", ")}`);
    }
    out.push({ group, role: role as Role });
  }
  if (!out.length) throw new RoleMapError("JOBDECK_ROLE_MAP is empty: map at least one group to a role");
  return out;
}

/**
 * The claim's groups, wherever the provider puts them: `groups` (Okta, Azure AD, Keycloak with a
 * mapper), or a dotted path such as `realm_access.roles`. Arrays and space/comma-separated strings.
 */
export function groupsFromClaims(claims: Record<string, unknown>, claimPath: string): string[] {
  const v = claimAt(claims, claimPath);
  const list = Array.isArray(v) ? v : typeof v === "string" ? v.split(/[\s,]+/) : [];
  return [...new Set(list.filter((g): g is string => typeof g === "string" && g.length > 0 && g.length <= 256))].slice(0, 500);
}

/** The value at a dotted claim path (`groups`, `realm_access.roles`), or undefined when absent. */
export function claimAt(claims: Record<string, unknown>, claimPath: string): unknown {
  let v: unknown = claims;
  for (const key of claimPath.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** The one role the groups map to (the strongest), or null when none maps. */
export function roleForGroups(groups: readonly string[], map: RoleMap): Role | null {
  const matched = map.filter((e) => e.group === "*" || groups.includes(e.group)).map((e) => e.role);
  return strongestRole(matched);
}
