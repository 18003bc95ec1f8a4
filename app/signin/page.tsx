// /signin (public): single sign-on and, where allowed, the demo users. Says why the visitor is
// here (session ended, sign-in failed, signed out) and returns them to callbackUrl afterwards —
// a path on this site only. next-auth sends its errors here too (?error=<code>).
import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard, AuthMessage } from "@/components/auth/auth-card";
import { safeCallbackUrl } from "@/components/auth/callback-url";
import { CallerSync } from "@/components/auth/caller-sync";
import { SignInOptions } from "@/components/auth/sign-in-options";
import { getPageCaller } from "@/lib/auth/page-guard";
import { type AuthSettings, authSettings } from "@/lib/auth/settings";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

// next-auth v4's error codes (pages.error is /signin) → what the visitor can do about it.
const ERRORS: Record<string, string> = {
  OAuthSignin: "Could not start signing in with the identity provider. Try again; if it keeps failing, the provider may be unreachable.",
  OAuthCallback: "The identity provider's answer could not be verified. Try signing in again.",
  OAuthCreateAccount: "Your session could not be created from the identity provider's answer. Try again, or ask an administrator.",
  Callback: "Signing in failed while finishing. Try again.",
  OAuthAccountNotLinked: "This identity is linked to another way of signing in. Sign in the way you did before.",
  CredentialsSignin: "That demo sign-in was refused. Pick one of the demo users below.",
  AccessDenied: "Access denied: the identity provider or Jobdeck refused this sign-in. Ask an administrator for access.",
  Configuration: "Sign-in is misconfigured on the server. An administrator can find the details in the server log.",
  SessionRequired: "Sign in to see that page.",
  Default: "Signing in failed. Try again.",
};

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function SignInPage({ searchParams }: Props) {
  const sp = await searchParams;
  const callbackUrl = safeCallbackUrl(sp.callbackUrl);
  const errorCode = first(sp.error);
  const error = errorCode ? (ERRORS[errorCode] ?? ERRORS.Default) : null;

  let settings: AuthSettings | null = null;
  try {
    settings = authSettings();
  } catch (err) {
    console.error(`[jobdeck] sign-in settings: ${(err as Error).message}`);
  }
  const caller = settings ? await getPageCaller().catch(() => null) : null;

  return (
    <AuthCard title="Sign in to Jobdeck" titleId="signin-title" testId="signin-card">
      <CallerSync name={caller?.name ?? null} />
      {first(sp.expired) === "1" && !caller ? (
        <AuthMessage tone="info" testId="signin-expired">Your session has ended. Sign in again to continue.</AuthMessage>
      ) : null}
      {first(sp.signedout) === "1" && !caller ? <AuthMessage tone="ok" testId="signin-signedout">You are signed out.</AuthMessage> : null}
      {error ? <AuthMessage tone="bad" testId="signin-error">{error}</AuthMessage> : null}
      {caller ? (
        <p role="status" className="rounded-md border border-border bg-surface-2 px-3 py-2 text-sm" data-testid="signin-current">
          You are signed in as <span className="font-semibold break-all">{caller.name}</span>.{" "}
          <Link href={callbackUrl} className="font-medium text-accent underline underline-offset-2">
            Continue to Jobdeck
          </Link>
        </p>
      ) : null}

      {settings == null ? (
        <AuthMessage tone="bad">Sign-in is misconfigured on this server, so nobody can sign in. An administrator can find the details in the server log.</AuthMessage>
      ) : !settings.oidc && !settings.demo ? (
        <div className="text-sm" data-testid="signin-unconfigured">
          <p className="font-semibold">No sign-in is configured.</p>
          <p className="mt-1 text-muted">
            Set <code className="font-mono">OIDC_ISSUER</code>, <code className="font-mono">OIDC_CLIENT_ID</code> and{" "}
            <code className="font-mono">OIDC_CLIENT_SECRET</code> for single sign-on, or <code className="font-mono">JOBDECK_DEMO_AUTH=1</code> to
            allow the demo users, then restart Jobdeck.
          </p>
        </div>
      ) : (
        <>
          {caller ? <p className="text-xs text-muted">Or sign in as someone else:</p> : null}
          <SignInOptions oidcName={settings.oidc?.displayName ?? null} demo={settings.demo} callbackUrl={callbackUrl} />
        </>
      )}
    </AuthCard>
  );
}
