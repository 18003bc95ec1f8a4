// Wording for the Jobs page: counted nouns and runtimes, with thousands separators.
import { formatCount, formatDuration } from "../format";

/** 1 → "1 job", 1204 → "1,204 jobs". */
export function jobsCount(n: number, noun = "job"): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** 850 → "850 ms", 75_000 → "1m 15s"; null → "—". */
export function formatRuntime(ms: number | null): string {
  if (ms == null) return "—";
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatDuration(ms / 1000);
}

const STATE_WORDS: Record<string, string> = { failed: "retrying" };

/** { running: 3, completed: 10 } → "3 running, 10 completed". */
export function describeStates(counts: Partial<Record<string, number | undefined>>): string {
  return Object.entries(counts)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([s, n]) => `${formatCount(n ?? 0)} ${STATE_WORDS[s] ?? s}`)
    .join(", ");
}
