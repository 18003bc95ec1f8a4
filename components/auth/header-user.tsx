// The header's "who am I": the signed-in user's email (or name), their role as a coloured badge
// with text, a "demo" label for the demo users, and a link to sign out.
import Link from "next/link";
import { ROLE_ABILITIES, strongestRole } from "@/lib/auth/roles";
import type { ClientCaller } from "./caller-context";
import { RoleBadge } from "./role-badge";

export function HeaderUser({ caller }: { caller: ClientCaller }) {
  const role = strongestRole(caller.roles);
  return (
    <div className="flex min-w-0 items-center gap-2 text-xs" data-testid="header-user">
      {caller.source === "demo" ? (
        <span
          className="rounded border border-warn bg-warn-bg px-1.5 py-px text-[11px] font-semibold text-warn"
          title="Signed in as a demo user: not for production"
          data-testid="demo-label"
        >
          demo
        </span>
      ) : null}
      <span className="max-w-[16rem] truncate font-medium text-fg" title={caller.name} data-testid="current-user">
        {caller.name}
      </span>
      <span title={role ? `${role}: ${ROLE_ABILITIES[role]}` : "none of your groups maps to a Jobdeck role"}>
        <RoleBadge role={role} testId="current-role" />
      </span>
      <Link href="/signout" prefetch={false} className="whitespace-nowrap rounded px-1.5 py-1 text-muted underline underline-offset-2 hover:text-fg">
        Sign out
      </Link>
    </div>
  );
}
