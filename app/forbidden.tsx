"use client";
// 403 (forbidden()): the caller's role may not open this page or use this action.
import Link from "next/link";
import { RoleBadge } from "@/components/auth/role-badge";
import { useCaller } from "@/components/auth/caller-context";
import { ROLE_ABILITIES, strongestRole } from "@/lib/auth/roles";

export default function Forbidden() {
  const caller = useCaller();
  const role = caller ? strongestRole(caller.roles) : null;
  return (
    <div role="alert" className="rounded-md border border-bad bg-bad-bg px-4 py-4 text-bad" data-testid="forbidden">
      <h1 className="text-lg font-semibold">You don&apos;t have permission to do this</h1>
      {caller ? (
        <p className="mt-1 text-sm text-fg">
          You are signed in as <span className="font-semibold break-all">{caller.name}</span>. Your role:{" "}
          <RoleBadge role={role} testId="forbidden-role" />
          {role ? ` — ${ROLE_ABILITIES[role]}.` : null} Ask an administrator if you need more.
        </p>
      ) : null}
      <Link href="/" className="mt-3 inline-block text-sm font-medium text-accent underline underline-offset-2">
        Back to the overview
      </Link>
    </div>
  );
}
