// Shown instead of a foreign source's data when it cannot be read: which source, where (host and
// database only), why, and that the other sources keep working. The page retries by itself.
import Link from "next/link";

export function SourceUnavailable({ source, location, reason }: { source: string; location?: string | null; reason: string }) {
  return (
    <div role="alert" className="rounded-md border border-bad bg-bad-bg px-4 py-3 text-bad" data-testid="source-unavailable">
      <p className="font-semibold">Source “{source}” is unreachable</p>
      <p className="mt-1 text-sm">
        Jobdeck cannot read {location ? <span className="font-mono">{location}</span> : "its database"}: <span className="font-mono">{reason}</span>
      </p>
      <p className="mt-1 text-sm">
        The other sources keep working (<Link href="/sources" className="underline">all sources</Link>). This page retries every few seconds.
      </p>
    </div>
  );
}
