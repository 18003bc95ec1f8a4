"use client";
// Unexpected errors: a short message and a retry, never a stack trace. Details are in the server log.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-md border border-bad bg-bad-bg px-4 py-3 text-bad">
      <h1 className="font-semibold">Something went wrong loading this page</h1>
      <p className="mt-1 text-sm">
        The error was logged on the server{error.digest ? <> (reference <span className="font-mono">{error.digest}</span>)</> : null}.
      </p>
      <button type="button" onClick={reset} className="mt-2 rounded border border-bad px-2 py-1 text-sm hover:bg-surface">
        Try again
      </button>
    </div>
  );
}
