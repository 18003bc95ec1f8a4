// Every read of a Celery source runs in a short transaction on the control database with a
// statement timeout: the celery_* tables are Jobdeck's own, but a filter tested row by row must
// not hold a connection for long while the bridge writes.
import type { Database, Sql } from "../../../db/client";

export const READ_TIMEOUT_MS = 5_000;

export function boundedRead<T>(control: Database, fn: (q: Sql) => Promise<T>): Promise<T> {
  return control.tx(async (q) => {
    if (control.kind === "postgres") await q.query(`set local statement_timeout = ${READ_TIMEOUT_MS}`);
    return fn(q);
  });
}
