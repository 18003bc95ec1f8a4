// The charts' time range as links (?range=1h|24h|7d), so a range can be bookmarked and shared.
import Link from "next/link";
import { OVERVIEW_RANGES, type OverviewRange } from "@/lib/queries/rollups";
import { withSource } from "../sources/source-href";

export function RangePicker({ range, source }: { range: OverviewRange; source?: string }) {
  return (
    <nav aria-label="Time range" className="inline-flex overflow-hidden rounded border border-border text-xs">
      {(Object.keys(OVERVIEW_RANGES) as OverviewRange[]).map((r) => (
        <Link
          key={r}
          href={withSource(`/?range=${r}`, source)}
          scroll={false}
          aria-current={r === range ? "page" : undefined}
          aria-label={OVERVIEW_RANGES[r].label}
          className={`px-2.5 py-1 tabular ${r === range ? "bg-accent font-semibold text-accent-fg" : "bg-surface text-fg hover:bg-surface-2"}`}
        >
          {r}
        </Link>
      ))}
    </nav>
  );
}
