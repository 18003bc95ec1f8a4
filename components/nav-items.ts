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
  /** The section shows one source at a time: its link keeps `?source=`. */
  perSource?: boolean;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { href: "/sources", label: "All sources", ready: true },
  { href: "/", label: "Overview", ready: true, perSource: true },
  { href: "/jobs", label: "Jobs", ready: true, perSource: true },
  { href: "/workers", label: "Workers", ready: true, perSource: true },
  { href: "/stale", label: "Stale locks", ready: true, perSource: true },
  { href: "/campaigns", label: "Campaigns", ready: true, perSource: true },
  { href: "/audit", label: "Audit", ready: true, perSource: true },
  { href: "/settings/tokens", label: "API tokens", ready: true, role: "admin" },
];
