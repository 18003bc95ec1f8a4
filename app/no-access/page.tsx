// /no-access (public): a signed-in user none of whose groups maps to a Jobdeck role. Shows their
// groups and the groups that would grant a role (JOBDECK_ROLE_MAP), so they know whom to ask.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { CallerSync } from "@/components/auth/caller-sync";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { getPageCaller } from "@/lib/auth/page-guard";
import { strongestRole } from "@/lib/auth/roles";
import { authSettings } from "@/lib/auth/settings";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "No access" };

export default async function NoAccessPage() {
  const caller = await getPageCaller();
  if (!caller) redirect("/signin");
  const role = strongestRole(caller.roles);
  if (role) {
    return (
      <AuthCard title="You have access" titleId="no-access-title" testId="no-access-card">
        <CallerSync name={caller.name} />
        <p className="text-sm">
          You are signed in as <span className="font-semibold break-all">{caller.name}</span> with the {role} role.
        </p>
        <Link href="/" className="text-sm font-medium text-accent underline underline-offset-2">Go to the overview</Link>
      </AuthCard>
    );
  }
  const settings = authSettings();
  const groups = caller.groups ?? [];
  return (
    <AuthCard title="No access" titleId="no-access-title" testId="no-access-card">
      <CallerSync name={caller.name} />
      <p className="text-sm">
        You are signed in as <span className="font-semibold break-all" data-testid="no-access-user">{caller.name}</span>, but none of your groups
        maps to a Jobdeck role.
      </p>
      <div className="text-sm">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-muted">Your groups</h2>
        {groups.length ? (
          <ul className="mt-1 flex flex-wrap gap-1" data-testid="no-access-groups">
            {groups.map((g) => (
              <li key={g} className="rounded bg-surface-2 px-1.5 py-px font-mono text-xs break-all">{g}</li>
            ))}
          </ul>
        ) : (
          <p className="mt-1 text-muted" data-testid="no-access-groups">
            None: the identity provider sent no groups in the <code className="font-mono">{settings.rolesClaim}</code> claim.
          </p>
        )}
      </div>
      <div className="text-sm">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-muted">Groups that grant access</h2>
        <ul className="mt-1 flex flex-col gap-0.5" data-testid="no-access-role-map">
          {settings.roleMap.map((e) => (
            <li key={`${e.group}=${e.role}`}>
              <span className="font-mono text-xs break-all">{e.group === "*" ? "* (anyone signed in)" : e.group}</span> → {e.role}
            </li>
          ))}
        </ul>
        <p className="mt-2 text-xs text-muted">Ask your administrator to add you to one of them, then sign in again.</p>
      </div>
      <SignOutButton />
    </AuthCard>
  );
}
