// Number and time formats shared by the charts (client) and their text alternatives (server).
export type ChartFormat = "count" | "percent" | "ms";

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** 850 → "850 ms", 1234 → "1.2 s", 95000 → "1.6 min", 7200000 → "2 h". */
export function formatMs(ms: number): string {
  if (ms < 1) return `${one.format(ms)} ms`;
  if (ms < 1000) return `${int.format(ms)} ms`;
  if (ms < 60_000) return `${one.format(ms / 1000)} s`;
  if (ms < 3_600_000) return `${one.format(ms / 60_000)} min`;
  return `${one.format(ms / 3_600_000)} h`;
}

export function formatValue(v: number | null | undefined, format: ChartFormat): string {
  if (v == null || Number.isNaN(v)) return "—";
  if (format === "percent") return `${one.format(v * 100)}%`;
  if (format === "ms") return formatMs(v);
  return v >= 100 || Number.isInteger(v) ? int.format(v) : one.format(v);
}

const pad = (n: number) => String(n).padStart(2, "0");
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** Interval start in UTC: "14:05" within a day, "Mon 14:00" across days. */
export function formatTick(t: number, rangeSeconds: number): string {
  const d = new Date(t);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return rangeSeconds > 86_400 ? `${DAYS[d.getUTCDay()]} ${hm}` : hm;
}

/** Full interval start for tooltips and tables: "2026-05-14 14:05 UTC". */
export function formatInstant(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}
