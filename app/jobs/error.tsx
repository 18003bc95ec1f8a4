"use client";
// Unexpected errors on the Jobs page: a short message, a retry and a way out; never a stack trace.
// (An invalid filter or an unreachable database is not an error here: the page shows those itself.)
import Link from "next/link";

export default function JobsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-md border border-bad bg-bad-bg px-4 py-3 text-bad">
      <h1 className="font-semibold">Something went wrong loading the jobs</h1>
      <p className="mt-1 text-sm">
        The error was logged on the server{error.digest ? <> (reference <span className="font-mono">{error.digest}</span>)</> : null}.
      </p>
      <div className="mt-2 flex gap-2">
        <button type="button" onClick={reset} className="rounded border border-bad px-2 py-1 text-sm hover:bg-surface">
          Try again
        </button>
        <Link href="/jobs" className="rounded border border-bad px-2 py-1 text-sm hover:bg-surface">
          Clear filters
        </Link>
      </div>
    </div>
  );
}
