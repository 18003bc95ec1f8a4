// Formatting for the console: thousands separators, compact ages and durations.
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return integer.format(n);
}

/** "at least" counts render as "100,000+". */
export function formatCapped(c: { value: number; capped: boolean }): string {
  return `${formatCount(c.value)}${c.capped ? "+" : ""}`;
}

/** 0 → "0s", 75 → "1m 15s", 7300 → "2h 1m", 200000 → "2d 7h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatAgo(seconds: number | null | undefined): string {
  return seconds == null ? "—" : `${formatDuration(seconds)} ago`;
}

/** The server's clock when a page rendered (kept out of components so renders stay pure). */
export function renderClock(): number {
  return Date.now();
}
