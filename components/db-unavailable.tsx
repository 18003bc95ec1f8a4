// Shown instead of data when the database cannot be reached: what is wrong, where, and that the
// page keeps retrying. Never a stack trace.
export function DbUnavailable({ database, reason }: { database: string; reason: string }) {
  return (
    <div role="alert" className="rounded-md border border-bad bg-bad-bg px-4 py-3 text-bad">
      <p className="font-semibold">Database unreachable</p>
      <p className="mt-1 text-sm">
        Jobdeck cannot read <span className="font-mono">{database}</span>: <span className="font-mono">{reason}</span>
      </p>
      <p className="mt-1 text-sm">
        Nothing is lost: jobs and workers keep their state in the database. This page retries every few seconds and
        recovers by itself once the database is back.
      </p>
    </div>
  );
}
