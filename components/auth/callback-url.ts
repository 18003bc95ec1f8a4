// Where to go after signing in: only a path on this site ("/jobs?state=dead"), never another
// origin ("//evil.example", "/\evil.example", "https://…") and never back to the sign-in pages.
const AUTH_PAGES = /^\/(signin|signout|no-access)(?:[/?#]|$)/;

export function safeCallbackUrl(raw: string | string[] | undefined | null): string {
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (typeof v !== "string" || v.length > 2000) return "/";
  if (!v.startsWith("/") || v.startsWith("//") || v.startsWith("/\\")) return "/";
  // Control characters and backslashes can turn a path into another origin in some browsers.
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c) return "/";
  }
  if (AUTH_PAGES.test(v)) return "/";
  return v;
}
