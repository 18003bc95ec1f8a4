"use client";
// The root layout (and so the header's "who am I") is not rendered again on a client-side
// navigation. When a page reached that way knows a different caller than the header — the session
// ended and the proxy sent the browser to /signin, or it was changed in another tab — this
// refreshes the whole tree once, layout included.
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useCaller } from "./caller-context";

export function CallerSync({ name }: { name: string | null }) {
  const router = useRouter();
  const shown = useCaller()?.name ?? null;
  useEffect(() => {
    if (shown !== name) router.refresh();
  }, [shown, name, router]);
  return null;
}
