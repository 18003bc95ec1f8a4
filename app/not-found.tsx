// 404 inside the console frame.
import Link from "next/link";

export default function NotFound() {
  return (
    <div className="rounded-md border border-border bg-surface px-4 py-6">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-1 text-muted">There is nothing at this address.</p>
      <Link href="/" className="mt-3 inline-block text-accent underline">
        Back to the overview
      </Link>
    </div>
  );
}
