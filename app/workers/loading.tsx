// Shown while the workers load.
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite" className="flex flex-col gap-4">
      <span className="sr-only">Loading workers…</span>
      <div className="h-6 w-40 animate-pulse rounded bg-surface-2" />
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => <div key={i} className="h-[86px] animate-pulse rounded-md border border-border bg-surface" />)}
      </div>
      <div className="h-64 animate-pulse rounded-md border border-border bg-surface" />
    </div>
  );
}
