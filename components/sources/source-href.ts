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
