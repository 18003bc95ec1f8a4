// How often a live page refreshes: every `base` ms, but never sooner than SLOW_FACTOR times as
// long as the last refresh took (a slow database is not asked again at once), and never before
// a server's Retry-After. Shared by the react-query lists and the server pages' AutoRefresh.

/** The next refresh waits at least this many times as long as the last one took. */
export const SLOW_FACTOR = 5;
/** Slowness alone never stretches the interval beyond this (Retry-After may). */
export const MAX_SLOWED_MS = 120_000;

export function refreshDelay(baseMs: number, lastDurationMs: number | null, retryAfterMs: number | null = null): number {
  const slowed = lastDurationMs == null ? 0 : Math.min(MAX_SLOWED_MS, Math.round(SLOW_FACTOR * lastDurationMs));
  return Math.max(baseMs, slowed, retryAfterMs ?? 0);
}

/** A Retry-After header (seconds, or an HTTP date) in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** "5s", "1m 30s": an interval for the "updated N s ago" line. */
export function intervalText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return s % 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s / 60}m`;
}
