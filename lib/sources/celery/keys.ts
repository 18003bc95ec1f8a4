// Keys and list cursors of a Celery source. A task's key is its task id, as Celery gave it (a
// uuid unless the sender chose another string). Cursors are opaque to callers: `c.<seq>`, the
// row's place in the order the bridge first saw the tasks (celery_tasks.seq).
import { JobFilterError } from "../../filters/job-filter";

/** A task id as a key: 1-255 characters, none of them whitespace or control characters; else null. */
export function parseCeleryKey(raw: string): string | null {
  const s = raw.trim();
  if (s.length === 0 || s.length > 255 || /[\s\u0000-\u001f\u007f]/.test(s)) return null;
  return s;
}

export function encodeCursor(seq: number | string): string {
  return `c.${seq}`;
}

/** The seq of a cursor; JobFilterError (a 400 naming the field) for anything this list did not hand out. */
export function decodeCursor(cursor: string, field: "before" | "after"): string {
  const m = /^c\.([1-9]\d{0,17})$/.exec(cursor);
  if (!m) throw new JobFilterError(`${field} is not a cursor of this source (got "${cursor.slice(0, 40)}")`, [{ field, message: `${field} is not a cursor of this source` }]);
  return m[1];
}
