// The console's sections. A section is linked only once its page exists; until then the header
// shows it disabled with a "soon" label, so no link leads to a 404. A section with a `role` is
// listed only for callers who hold it (the page checks again on the server).
import type { Role } from "@/lib/auth/roles";

export interface NavItem {
  href: string;
  label: string;
  ready: boolean;
  /** The role the section needs (default: any signed-in role). */
  role?: Role;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { href: "/", label: "Overview", ready: true },
  { href: "/jobs", label: "Jobs", ready: true },
  { href: "/workers", label: "Workers", ready: true },
  { href: "/stale", label: "Stale locks", ready: true },
  { href: "/campaigns", label: "Campaigns", ready: true },
  { href: "/audit", label: "Audit", ready: true },
  { href: "/settings/tokens", label: "API tokens", ready: true, role: "admin" },
];
