// Keys and cursors of graphile-worker jobs. A job's key is its id (a bigint) as a decimal
// string; its job_key (graphile-worker's deduplication key) is shown in the detail, never used
// to address it. Cursors are opaque to callers: `g.<id>` of the row at the page edge.
import { JobFilterError } from "../../filters/job-filter";

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** A positive bigint in canonical decimal form, or null. */
export function parseGraphileKey(raw: string): string | null {
  const s = raw.trim();
  if (!/^[1-9][0-9]{0,18}$/.test(s)) return null;
  return BigInt(s) <= MAX_BIGINT ? s : null;
}

export function encodeCursor(id: string): string {
  return `g.${id}`;
}

/** The id of a cursor; throws JobFilterError (a 400) naming the cursor field when it is not one of ours. */
export function decodeCursor(cursor: string, field: "before" | "after"): string {
  const id = cursor.startsWith("g.") ? parseGraphileKey(cursor.slice(2)) : null;
  if (id === null) throw new JobFilterError(`${field} is not a cursor of this source (got "${cursor.slice(0, 40)}")`, [{ field, message: `${field} is not a cursor of this source` }]);
  return id;
}
