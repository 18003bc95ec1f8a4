// Cross-site request check for anything a browser session can trigger (server actions, cookie-
// authenticated API writes): a browser always sends Origin on such POSTs, and it must be this
// site — the Host (or X-Forwarded-Host behind a proxy) or NEXTAUTH_URL. Requests without Origin
// are not from a browser page (curl, scripts) and carry only credentials their sender holds.

type HeaderSource = Pick<Headers, "get">;

/** The foreign origin of a request, or null when it is same-site or has no Origin header. */
export function foreignOrigin(headers: HeaderSource): string | null {
  const origin = headers.get("origin");
  if (origin === null || origin === "") return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return origin; // "null" (sandboxed frames, file://) or garbage
  }
  const hosts = new Set<string>();
  const forwarded = headers.get("x-forwarded-host")?.split(",")[0].trim();
  if (forwarded) hosts.add(forwarded);
  const host = headers.get("host");
  if (host) hosts.add(host);
  if (process.env.NEXTAUTH_URL) {
    try {
      hosts.add(new URL(process.env.NEXTAUTH_URL).host);
    } catch {
      // an invalid NEXTAUTH_URL is reported at start-up
    }
  }
  return hosts.has(originHost) ? null : origin;
}
