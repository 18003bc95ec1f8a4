// Shown while the stale locks load.
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite" className="flex flex-col gap-4">
      <span className="sr-only">Loading stale locks…</span>
      <div className="h-6 w-40 animate-pulse rounded bg-surface-2" />
      <div className="h-64 animate-pulse rounded-md border border-border bg-surface" />
    </div>
  );
}
