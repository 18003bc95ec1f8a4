// The three roles and their order: admin ⊃ operator ⊃ viewer. Plain module (no server-only):
// client components use it to decide what to show; the server decides what to allow.
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `held` includes `role` or a stronger one. */
export function rolesInclude(held: readonly Role[], role: Role): boolean {
  return held.some((r) => RANK[r] >= RANK[role]);
}

/** The strongest of `roles`, or null for none. */
export function strongestRole(roles: readonly Role[]): Role | null {
  return roles.reduce<Role | null>((best, r) => (best === null || RANK[r] > RANK[best] ? r : best), null);
}

export const ROLE_ABILITIES: Record<Role, string> = {
  viewer: "read everything, change nothing",
  operator: "retry, cancel, priority, run now, recover stale, campaign actions",
  admin: "everything, plus large bulk actions, the audit export and API tokens",
};
