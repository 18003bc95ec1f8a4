// Shown instead of data when the database cannot be reached: what is wrong, where, and that the
// page keeps retrying. Never a stack trace. A read cancelled by the statement timeout
// (JOBDECK_STATEMENT_TIMEOUT_MS; describeDbError says QUERY_TIMEOUT_MESSAGE) is not an outage:
// it says so and what to do instead.
import { QUERY_TIMEOUT_MESSAGE } from "@/db/outage";

export function DbUnavailable({ database, reason }: { database: string; reason: string }) {
  if (reason.startsWith(QUERY_TIMEOUT_MESSAGE)) return <ReadTimedOut reason={reason} />;
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

function ReadTimedOut({ reason }: { reason: string }) {
  return (
    <div role="alert" className="rounded-md border border-warn bg-warn-bg px-4 py-3 text-warn" data-testid="query-timeout">
      <p className="font-semibold">{reason.charAt(0).toUpperCase() + reason.slice(1)}</p>
      <p className="mt-1 text-sm">
        The database stopped this read after its time limit, so nobody else waits behind it. Add a created or finished
        time range, a state, queue or kind, and the list comes back quickly.
      </p>
    </div>
  );
}
