// /signout (public): who is signed in and a button that ends the Jobdeck session. With single
// sign-on the identity provider's own session lives on; the page says so.
import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth/auth-card";
import { CallerSync } from "@/components/auth/caller-sync";
import { RoleBadge } from "@/components/auth/role-badge";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { getPageCaller } from "@/lib/auth/page-guard";
import { strongestRole } from "@/lib/auth/roles";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign out" };

export default async function SignOutPage() {
  const caller = await getPageCaller().catch(() => null);
  return (
    <AuthCard title="Sign out of Jobdeck" titleId="signout-title" testId="signout-card">
      <CallerSync name={caller?.name ?? null} />
      {caller ? (
        <>
          <p className="text-sm">
            You are signed in as <span className="font-semibold break-all" data-testid="signout-user">{caller.name}</span>{" "}
            <RoleBadge role={strongestRole(caller.roles)} />
            {caller.source === "demo" ? <span className="text-muted"> (a demo user)</span> : null}.
          </p>
          <SignOutButton />
          {caller.source === "session" ? (
            <p className="text-xs text-muted">
              This ends your Jobdeck session only. With single sign-on you may still be signed in at your identity provider, so
              signing in again may not ask for your password; sign out there too on a shared computer.
            </p>
          ) : null}
          <Link href="/" className="text-sm text-accent underline underline-offset-2">Stay signed in and go back</Link>
        </>
      ) : (
        <>
          <p role="status" className="text-sm">You are not signed in.</p>
          <Link href="/signin" className="text-sm font-medium text-accent underline underline-offset-2">Sign in</Link>
        </>
      )}
    </AuthCard>
  );
}
