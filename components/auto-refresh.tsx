"use client";
// Re-renders the server page every few seconds (router.refresh), with a pause toggle and an
// "updated Ns ago · every 5s" label. A slow render stretches the interval (components/live-refresh),
// so a struggling database is not asked again at once. Pages with their own react-query lists
// (components/jobs/jobs-view) do the same with their queries.
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { refreshDelay } from "./live-refresh";
import { LiveStatus } from "./live-status";

export function AutoRefresh({ renderedAt, intervalMs = 5_000 }: { renderedAt: number; intervalMs?: number }) {
  const router = useRouter();
  const [paused, setPaused] = useState(false);
  const [refreshing, startTransition] = useTransition();
  const [lastDurationMs, setLastDurationMs] = useState<number | null>(null);
  // Bumped when a turn is skipped (tab hidden), so the next one is scheduled.
  const [turn, setTurn] = useState(0);
  const startedAt = useRef<number | null>(null);
  const delayMs = refreshDelay(intervalMs, lastDurationMs);

  useEffect(() => {
    if (paused || refreshing) return;
    // The refresh that just finished (the transition ended): how long it took.
    if (startedAt.current != null) {
      const took = performance.now() - startedAt.current;
      const t = setTimeout(() => {
        startedAt.current = null;
        setLastDurationMs(took);
        setTurn((n) => n + 1);
      }, 0);
      return () => clearTimeout(t);
    }
    const t = setTimeout(() => {
      if (document.visibilityState !== "visible") return setTurn((n) => n + 1);
      startedAt.current = performance.now();
      startTransition(() => router.refresh());
    }, delayMs);
    return () => clearTimeout(t);
  }, [paused, refreshing, delayMs, router, turn]);

  return (
    <LiveStatus
      updatedAt={renderedAt}
      refreshing={refreshing}
      paused={paused}
      onToggle={() => setPaused((p) => !p)}
      baseMs={intervalMs}
      delayMs={delayMs}
      lastDurationMs={lastDurationMs}
    />
  );
}
