// Shown while the audit page reads its first page: the filter bar's and the table's outlines.
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite" className="flex flex-col gap-3">
      <span className="sr-only">Loading the audit log…</span>
      <div className="h-7 w-24 animate-pulse rounded bg-surface-2" />
      <div className="h-[74px] animate-pulse rounded-md border border-border bg-surface" />
      <div className="flex flex-col divide-y divide-border rounded-md border border-border bg-surface">
        {Array.from({ length: 12 }, (_, i) => (
          <div key={i} className="flex h-8 items-center gap-3 px-3">
            <div className="h-3 w-16 animate-pulse rounded bg-surface-2" />
            <div className="h-3 w-40 animate-pulse rounded bg-surface-2" />
            <div className="h-3 w-24 animate-pulse rounded bg-surface-2" />
            <div className="h-3 flex-1 animate-pulse rounded bg-surface-2" />
          </div>
        ))}
      </div>
    </div>
  );
}
