// Shown while a page's server data loads.
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite" className="grid grid-cols-2 gap-2 sm:grid-cols-4 xl:grid-cols-8">
      <span className="sr-only">Loading…</span>
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="h-[86px] animate-pulse rounded-md border border-border bg-surface" />
      ))}
    </div>
  );
}
