"use client";
// "updated 4s ago · every 5s" and the pause toggle of every live page: when the refresh is slowed
// (a slow answer, or a server's Retry-After; components/live-refresh) it says how often and why.
import { useEffect, useState } from "react";
import { intervalText } from "./live-refresh";

export interface LiveStatusProps {
  /** When the data on screen was read (ms since the epoch). */
  updatedAt: number;
  refreshing: boolean;
  paused: boolean;
  onToggle: () => void;
  /** The page's normal interval, and the one in effect now. */
  baseMs: number;
  delayMs: number;
  /** How long the last refresh took, when it is known. */
  lastDurationMs: number | null;
  /** The server asked to wait (HTTP 429 with Retry-After). */
  rateLimited?: boolean;
}

export function LiveStatus({ updatedAt, refreshing, paused, onToggle, baseMs, delayMs, lastDurationMs, rateLimited }: LiveStatusProps) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, []);
  const age = now == null ? 0 : Math.max(0, Math.round((now - updatedAt) / 1000));
  const why = rateLimited
    ? "the server asked to wait: too many expensive searches"
    : delayMs > baseMs && lastDurationMs != null
      ? `slowed: the last refresh took ${(lastDurationMs / 1000).toFixed(1)}s`
      : null;
  return (
    <div className="flex items-center gap-2 text-xs text-muted" data-testid="live-status">
      <span aria-live="off" className="tabular">
        {refreshing ? "updating…" : age < 2 ? "updated just now" : `updated ${age}s ago`}
        {paused ? (
          " · paused"
        ) : (
          <>
            {" · "}
            <span data-testid="refresh-interval" title={`refreshes every ${intervalText(delayMs)}${why ? ` (${why})` : ""}; normally every ${intervalText(baseMs)}`}>
              {rateLimited ? `next in ${intervalText(delayMs)}` : `every ${intervalText(delayMs)}`}
              {why ? ` (${rateLimited ? "rate limited" : "slow responses"})` : ""}
            </span>
          </>
        )}
      </span>
      <button
        type="button"
        onClick={onToggle}
        aria-pressed={paused}
        className="rounded border border-border bg-surface px-2 py-0.5 text-fg hover:bg-surface-2"
      >
        {paused ? "▶ Resume live" : "❚❚ Pause live"}
      </button>
    </div>
  );
}
