"use client";
// Primary navigation: marks the current section with aria-current; unbuilt sections are shown
// disabled with a "soon" label instead of linking to a missing page. Sections the caller's role
// cannot open (API tokens: admin) are not listed.
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { rolesInclude } from "@/lib/auth/roles";
import { useCaller } from "./auth/caller-context";
import { NAV_ITEMS } from "./nav-items";
import { withSource } from "./sources/source-href";

export function SiteNav() {
  const pathname = usePathname();
  // Sections keep the source being looked at (?source=), except the ones that span every source.
  const source = useSearchParams().get("source");
  const caller = useCaller();
  const items = NAV_ITEMS.filter((item) => !item.role || (caller != null && rolesInclude(caller.roles, item.role)));
  return (
    <nav aria-label="Primary">
      <ul className="flex flex-wrap items-center gap-1">
        {items.map((item) => {
          const current = item.href === "/" ? pathname === "/" : pathname.startsWith(item.href);
          if (!item.ready) {
            return (
              <li key={item.href}>
                <span
                  aria-disabled="true"
                  title={`${item.label}: coming soon`}
                  className="flex cursor-not-allowed items-center gap-1.5 rounded px-2.5 py-1.5 text-muted"
                >
                  {item.label}
                  <span className="rounded border border-border px-1 text-[10px] uppercase tracking-wide">soon</span>
                </span>
              </li>
            );
          }
          return (
            <li key={item.href}>
              <Link
                href={item.perSource ? withSource(item.href, source) : item.href}
                aria-current={current ? "page" : undefined}
                className={`block rounded px-2.5 py-1.5 font-medium hover:bg-surface-2 ${current ? "bg-surface-2 text-fg shadow-[inset_0_-2px_0_var(--accent)]" : "text-muted"}`}
              >
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
