"use client";
// 401 (unauthorized()): the session ended, e.g. while an action was sent. Offers to sign in again
// and come back to this page.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { safeCallbackUrl } from "@/components/auth/callback-url";

export default function Unauthorized() {
  const pathname = usePathname();
  const back = safeCallbackUrl(pathname);
  return (
    <div role="alert" className="rounded-md border border-warn bg-warn-bg px-4 py-4 text-warn" data-testid="unauthorized">
      <h1 className="text-lg font-semibold">Your session has ended</h1>
      <p className="mt-1 text-sm text-fg">Nothing was changed. Sign in again to continue where you were.</p>
      <Link
        href={`/signin?${new URLSearchParams({ callbackUrl: back, expired: "1" }).toString()}`}
        className="mt-3 inline-block rounded border border-accent bg-accent px-3 py-1.5 text-sm font-semibold text-accent-fg hover:opacity-90"
      >
        Sign in
      </Link>
    </div>
  );
}
