// A titled, bordered block of the console with an optional note on the right.
import type { ReactNode } from "react";

export function Panel({ id, title, note, children }: { id: string; title: string; note?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`} className="min-w-0 rounded-md border border-border bg-surface">
      <div className="flex items-baseline justify-between gap-3 border-b border-border px-3 py-2">
        <h2 id={`${id}-title`} className="text-sm font-semibold">{title}</h2>
        {note ? <p className="text-xs text-muted">{note}</p> : null}
      </div>
      {children}
    </section>
  );
}

export const th = "px-3 py-1.5 text-left text-[11px] font-semibold uppercase tracking-wide text-muted";
export const thNum = `${th} text-right`;
export const td = "px-3 py-1.5 align-top";
export const tdNum = `${td} tabular text-right`;

export function Empty({ children }: { children: ReactNode }) {
  return <p className="px-3 py-4 text-sm text-muted">{children}</p>;
}
