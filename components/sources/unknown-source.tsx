// Shown when `?source=` names no configured source: which names exist, and a way back.
import Link from "next/link";

export function UnknownSource({ message }: { message: string }) {
  return (
    <div role="alert" className="rounded-md border border-bad bg-bad-bg px-4 py-3 text-bad" data-testid="unknown-source">
      <p className="font-semibold">No such source</p>
      <p className="mt-1 text-sm">{message}.</p>
      <p className="mt-1 text-sm">
        See <Link href="/sources" className="underline">all sources</Link>, or configure it in <span className="font-mono">JOBDECK_SOURCES</span>.
      </p>
    </div>
  );
}
