"use client";
// The sign-in buttons: single sign-on (provider id "oidc") and, where allowed, the three demo
// users (provider id "demo"), labelled loudly when offered beside single sign-on. next-auth's
// signIn() posts to /api/auth and then sends the browser on (to the identity provider, or back to
// callbackUrl); meanwhile every button is disabled and the one pressed says "Redirecting…".
import { signIn } from "next-auth/react";
import { useEffect, useState } from "react";
import { ROLE_ABILITIES, ROLES, type Role } from "@/lib/auth/roles";

type Pending = "oidc" | Role | null;

const btn =
  "inline-flex w-full items-center justify-center gap-2 rounded border px-3 py-2 text-sm font-semibold disabled:cursor-wait disabled:opacity-60";

export function SignInOptions({ oidcName, demo, callbackUrl }: { oidcName: string | null; demo: boolean; callbackUrl: string }) {
  const [pending, setPending] = useState<Pending>(null);
  const [error, setError] = useState<string | null>(null);

  // Back from the identity provider through the browser's history (page restored from the
  // back-forward cache): the buttons work again.
  useEffect(() => {
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted) setPending(null);
    };
    window.addEventListener("pageshow", onShow);
    return () => window.removeEventListener("pageshow", onShow);
  }, []);

  async function go(which: Exclude<Pending, null>) {
    setPending(which);
    setError(null);
    try {
      if (which === "oidc") await signIn("oidc", { callbackUrl });
      else await signIn("demo", { role: which, callbackUrl });
    } catch {
      setPending(null);
      setError("Could not reach the Jobdeck server. Check the connection and try again.");
    }
  }

  return (
    <div className="flex flex-col gap-4">
      {oidcName ? (
        <button
          type="button"
          className={`${btn} border-accent bg-accent text-accent-fg hover:opacity-90`}
          disabled={pending != null}
          aria-busy={pending === "oidc" || undefined}
          onClick={() => void go("oidc")}
          data-testid="signin-oidc"
        >
          {pending === "oidc" ? "Redirecting…" : `Sign in with ${oidcName}`}
        </button>
      ) : null}
      {demo ? (
        <section aria-labelledby="demo-signin-title" className="rounded-md border border-warn bg-warn-bg/40 px-3 py-3" data-testid="demo-signin">
          <h2 id="demo-signin-title" className="text-sm font-semibold">
            Demo sign-in <span className="font-normal text-muted">— demo users, not for production</span>
          </h2>
          {oidcName ? (
            <p className="mt-1 text-xs font-semibold text-warn" data-testid="demo-alongside-sso-signin">
              Demo users enabled alongside SSO: anyone who can reach this server can sign in here as a demo admin, without {oidcName}.
            </p>
          ) : null}
          <ul className="mt-2 flex flex-col gap-2">
            {ROLES.map((role) => (
              <li key={role} className="flex flex-col gap-0.5">
                <button
                  type="button"
                  className={`${btn} border-border bg-surface text-fg hover:bg-surface-2`}
                  disabled={pending != null}
                  aria-busy={pending === role || undefined}
                  aria-describedby={`demo-${role}-can`}
                  onClick={() => void go(role)}
                  data-testid={`signin-demo-${role}`}
                >
                  {pending === role ? "Redirecting…" : `Sign in as demo ${role}`}
                </button>
                <span id={`demo-${role}-can`} className="text-xs text-muted">
                  {role[0].toUpperCase() + role.slice(1)}: {ROLE_ABILITIES[role]}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {error ? (
        <p role="alert" className="rounded-md border border-bad bg-bad-bg px-3 py-2 text-sm text-bad">{error}</p>
      ) : null}
    </div>
  );
}
