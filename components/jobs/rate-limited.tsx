// Shown when the caller ran too many list queries with expensive (unindexed) filters in a short
// time (lib/server/expensive-filter-limit): which filters, why, and when the list refreshes again.
import { FILTER_LABELS } from "./filter-labels";

export function RateLimitedNotice({ message, fields, retryAfterSeconds, rowsNote }: { message: string; fields: string[]; retryAfterSeconds: number; rowsNote?: string }) {
  return (
    <div role="alert" className="rounded-md border border-warn bg-warn-bg px-4 py-3 text-warn" data-testid="rate-limited">
      <p className="font-semibold">
        Too many searches by {fields.map((f) => FILTER_LABELS[f] ?? f).join(", ")} — paused for {retryAfterSeconds} s
      </p>
      <p className="mt-1 text-sm">{message}.</p>
      <p className="mt-1 text-sm">{rowsNote ?? "The list refreshes by itself once the wait is over."}</p>
    </div>
  );
}
