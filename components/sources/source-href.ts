// Links that keep the source the operator is looking at: every page takes `?source=NAME`, and
// the native source is the one without it (so today's URLs keep meaning the native queue).
export const NATIVE = "jobdeck";

/** `href` with `?source=` set (or removed for the native source). */
export function withSource(href: string, source: string | null | undefined): string {
  const [path, query = ""] = href.split("?");
  const sp = new URLSearchParams(query);
  if (!source || source === NATIVE) sp.delete("source");
  else sp.set("source", source);
  const q = sp.toString();
  return q ? `${path}?${q}` : path;
}

/** The source named by a page's search params (absent or empty = the native source). */
export function sourceNameOf(value: string | string[] | null | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() || NATIVE;
}

/** The job page of `key` in `source`. */
export function jobHref(key: string, source: string | null | undefined): string {
  return withSource(`/jobs/${encodeURIComponent(key)}`, source);
}

/** How a job is named in tables: `#123` for numeric keys; a uuid key (pg-boss `queue:uuid`) by its first 8 hex digits. */
export function jobLabel(key: string): string {
  if (/^\d+$/.test(key)) return `#${key}`;
  const uuid = /([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(key);
  return uuid ? `${uuid[1]}…` : key.length > 14 ? `${key.slice(0, 12)}…` : key;
}
