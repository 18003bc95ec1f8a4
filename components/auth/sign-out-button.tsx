"use client";
// Ends the Jobdeck session (next-auth's signOut posts to /api/auth/signout) and lands on the
// sign-in page with "You are signed out."
import { signOut } from "next-auth/react";
import { useState } from "react";

export function SignOutButton({ primary = true }: { primary?: boolean }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex flex-col gap-2">
      <button
        type="button"
        disabled={pending}
        aria-busy={pending || undefined}
        data-testid="signout-button"
        onClick={async () => {
          setPending(true);
          setError(null);
          try {
            await signOut({ callbackUrl: "/signin?signedout=1" });
          } catch {
            setPending(false);
            setError("Could not reach the Jobdeck server. Check the connection and try again.");
          }
        }}
        className={`inline-flex items-center justify-center rounded border px-3 py-2 text-sm font-semibold disabled:cursor-wait disabled:opacity-60 ${
          primary ? "border-accent bg-accent text-accent-fg hover:opacity-90" : "border-border bg-surface text-fg hover:bg-surface-2"
        }`}
      >
        {pending ? "Signing out…" : "Sign out"}
      </button>
      {error ? <p role="alert" className="text-sm text-bad">{error}</p> : null}
    </div>
  );
}
