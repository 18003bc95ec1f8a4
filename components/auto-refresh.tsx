"use client";
// Re-renders the server page every few seconds (router.refresh), with a pause toggle and an
// "updated Ns ago" label. Pages with their own react-query lists will not need it.
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";

export function AutoRefresh({ renderedAt, intervalMs = 5_000 }: { renderedAt: number; intervalMs?: number }) {
  const router = useRouter();
  const [paused, setPaused] = useState(false);
  const [now, setNow] = useState<number | null>(null);
  const [refreshing, startTransition] = useTransition();

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(tick);
  }, []);

  useEffect(() => {
    if (paused) return;
    const t = setInterval(() => {
      if (document.visibilityState === "visible") startTransition(() => router.refresh());
    }, intervalMs);
    return () => clearInterval(t);
  }, [paused, intervalMs, router]);

  const age = now == null ? 0 : Math.max(0, Math.round((now - renderedAt) / 1000));
  return (
    <div className="flex items-center gap-2 text-xs text-muted">
      <span aria-live="off" className="tabular">
        {refreshing ? "updating…" : age < 2 ? "updated just now" : `updated ${age}s ago`}
      </span>
      <button
        type="button"
        onClick={() => setPaused((p) => !p)}
        aria-pressed={paused}
        className="rounded border border-border bg-surface px-2 py-0.5 text-fg hover:bg-surface-2"
      >
        {paused ? "▶ Resume live" : "❚❚ Pause live"}
      </button>
    </div>
  );
}
