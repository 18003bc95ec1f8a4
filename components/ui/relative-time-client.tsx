"use client";
// The ticking <RelativeTime> itself; import it from ./relative-time (documented there).
import { useEffect, useState } from "react";
import { type DateInput, formatRelative, formatUtc, toDate } from "./time-format";

/** The browser's clock, read in effects only (renders stay pure). */
function wallClock(): number {
  return Date.now();
}

export function RelativeTime({ date, now, className }: { date: DateInput; now?: number; className?: string }) {
  const d = toDate(date);
  const [clock, setClock] = useState<number | null>(null);
  const [initial] = useState(() => now ?? wallClock());

  const ts = d ? d.getTime() : null;
  useEffect(() => {
    if (ts == null) return;
    const tick = () => setClock(wallClock());
    tick();
    const t = setInterval(tick, Math.abs(wallClock() - ts) < 60_000 ? 1_000 : 15_000);
    return () => clearInterval(t);
  }, [ts]);

  if (!d) return <span className={className}>—</span>;
  const utc = formatUtc(d);
  return (
    <time dateTime={d.toISOString()} title={utc} className={className} suppressHydrationWarning>
      {formatRelative(d, clock ?? now ?? initial)}
    </time>
  );
}
