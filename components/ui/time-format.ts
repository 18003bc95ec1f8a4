// Pure time formatting shared by server and client components: "3 min ago" and "… UTC".
// Import from here (or from ./relative-time) in server components too.
export type DateInput = Date | string | number | null | undefined;

export function toDate(d: DateInput): Date | null {
  if (d == null) return null;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "2026-05-14 09:03:12 UTC" */
export function formatUtc(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Compact relative phrase: "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago", "in 4 min". */
export function formatRelative(date: Date, now: number): string {
  const diff = Math.round((now - date.getTime()) / 1000);
  const abs = Math.abs(diff);
  let text: string;
  if (abs < 5) return "just now";
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3_600) text = `${Math.floor(abs / 60)} min`;
  else if (abs < 172_800) text = `${Math.floor(abs / 3_600)} h`;
  else text = `${Math.floor(abs / 86_400)} d`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

