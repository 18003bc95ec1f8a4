// Small pieces of the job pages: a labelled field row, a time shown relative with its UTC time,
// and a yes/no in words. Shared by the native job view and the view of other sources' jobs.
import type { ReactNode } from "react";
import { RelativeTime } from "../ui/relative-time";

/** "2026-05-14 09:03:12 UTC" (same format as RelativeTime's hover; computed on the server). */
export function utc(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function When({ date, now }: { date: Date | string | null; now: number }) {
  if (!date) return <span className="text-muted">—</span>;
  return (
    <span className="whitespace-nowrap">
      <RelativeTime date={date} now={now} /> <span className="text-xs text-muted">· {utc(new Date(date))}</span>
    </span>
  );
}

export function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="grid grid-cols-[9rem_minmax(0,1fr)] gap-2 px-3 py-1 text-sm" data-testid={testId}>
      <dt className="text-muted">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

export function YesNo({ value, yes, no, bad = false }: { value: boolean; yes: string; no: string; bad?: boolean }) {
  return value ? <span className={bad ? "font-semibold text-bad" : "font-semibold text-ok"}>{yes}</span> : <span>{no}</span>;
}

