// 404 for /jobs/[id]: the job does not exist (or the id is not a job id).
import Link from "next/link";

export default function JobNotFound() {
  return (
    <div className="rounded-md border border-border bg-surface px-4 py-6" data-testid="job-not-found">
      <h1 className="text-lg font-semibold">Job not found</h1>
      <p className="mt-1 text-muted">
        There is no job with this id. It may have been deleted, or the link is wrong: job ids are positive whole numbers.
      </p>
      <p className="mt-3 flex gap-4">
        <Link href="/jobs" className="text-accent underline">Find it in the jobs list</Link>
        <Link href="/" className="text-accent underline">Back to the overview</Link>
      </p>
    </div>
  );
}
