// pg-boss job keys and list cursors. A job is identified by its queue and uuid, so its key is
// `<queue name>:<uuid>`; queue names may contain ':' (pg-boss 10 allows it), so the uuid is read
// from the end. Cursors are opaque to callers: base64url of the JSON sort key (created_on with
// microseconds, id) of the row they continue from.
import { JobFilterError } from "../../filters/job-filter";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const KEY = new RegExp(`^([^\\u0000-\\u001f]{1,255}):(${UUID})$`, "i");
const UUID_ONLY = new RegExp(`^${UUID}$`, "i");
const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export interface JobRef {
  queue: string;
  id: string;
}

export const jobKey = (queue: string, id: string) => `${queue}:${id}`;

/** `<queue>:<uuid>` → its parts (uuid lower-cased); null for anything else. */
export function parseJobRef(raw: unknown): JobRef | null {
  if (typeof raw !== "string") return null;
  const m = KEY.exec(raw);
  return m ? { queue: m[1], id: m[2].toLowerCase() } : null;
}

/** The sort key a cursor carries; `inclusive` keeps the row itself (a previous page of an empty page). */
export interface ListCursor {
  t: string;
  id: string;
  inclusive?: boolean;
}

export function encodeCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify(c.inclusive ? { t: c.t, id: c.id, i: 1 } : { t: c.t, id: c.id })).toString("base64url");
}

/** Throws JobFilterError (400 in the API) for anything this list did not hand out. */
export function decodeCursor(raw: string, field: "before" | "after"): ListCursor {
  const bad = () => new JobFilterError(`${field} is not a cursor of this list`, [{ field, message: `${field} is not a cursor of this list` }]);
  if (typeof raw !== "string" || raw.length > 200) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  const o = v as { t?: unknown; id?: unknown; i?: unknown };
  if (!o || typeof o.t !== "string" || typeof o.id !== "string" || !ISO_MICROS.test(o.t) || !UUID_ONLY.test(o.id)) throw bad();
  return { t: o.t, id: o.id.toLowerCase(), ...(o.i === 1 ? { inclusive: true } : {}) };
}
