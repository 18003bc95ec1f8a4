// The proxy only steers browsers; it decides nothing about permissions. A page request without a
// live session is redirected to /signin (and back afterwards); every page, server action and API
// route still checks the caller itself (lib/auth). One refusal happens here because nothing later
// can do it well: a server-action POST from another site's page (CSRF) gets a plain 403, where
// Next's own origin check would answer 500. Served over https, every answer here carries
// Strict-Transport-Security.
import { type NextRequest, NextResponse } from "next/server";
import { foreignOrigin } from "@/lib/auth/origin";
import { callerFromClaims, readSessionClaims } from "@/lib/auth/session";
import { authSettings, holdsSessionCookie, secureCookiesFor } from "@/lib/auth/settings";
import { contentSecurityPolicy, newNonce } from "@/lib/security/csp";

// Reachable without a session: sign-in itself, and what the sign-in page needs.
const PUBLIC_PAGES = ["/signin", "/signout", "/no-access"];

/**
 * Lets the request through with a fresh CSP nonce (Next reads it from the request's CSP header
 * and puts it on its scripts; the layout reads x-nonce) and the page's path (x-jobdeck-path), so
 * a page that must send its visitor to sign in can bring them back. Both overwrite whatever the
 * client sent.
 */
function pass(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set("x-jobdeck-path", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return response;
}

// Browsers then use https only for a year. No includeSubDomains: Jobdeck rarely owns its parent
// domain. Only when served over https (NEXTAUTH_URL, else X-Forwarded-Proto: secureCookiesFor);
// over plain http browsers ignore the header anyway.
const HSTS = "max-age=31536000";

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const response = await steer(request);
  if (secureCookiesFor(request.headers)) response.headers.set("strict-transport-security", HSTS);
  return response;
}

async function steer(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  if (request.method === "POST" && request.headers.has("next-action")) {
    const foreign = foreignOrigin(request.headers);
    if (foreign) {
      console.warn(`[jobdeck] refused a server action from another site (Origin ${foreign.slice(0, 100)}) on ${pathname}`);
      return new NextResponse("Forbidden: this action was sent from another site.\n", { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    return pass(request); // the action answers 401/403 itself; a redirect would re-send the POST
  }
  if (PUBLIC_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return pass(request);

  const settings = authSettings();
  const cookies = Object.fromEntries(request.cookies.getAll().map((c) => [c.name, c.value]));
  const caller = callerFromClaims(await readSessionClaims(cookies, settings, secureCookiesFor(request.headers)), settings);
  if (caller) return pass(request);
  const signin = new URL("/signin", request.url);
  signin.searchParams.set("callbackUrl", `${pathname}${search}`);
  if (holdsSessionCookie((n) => n in cookies)) signin.searchParams.set("expired", "1");
  return NextResponse.redirect(signin);
}

export const config = {
  // Every path except the ones that are never a page, named one by one: API routes (they answer
  // 401/403 as JSON themselves and get their own CSP from next.config.ts), Next's reserved
  // /_next/ prefix (its static chunks, images and dev tooling: an app folder starting with "_"
  // is private, so no page can live there), the app's icon (app/icon.svg) and each file in
  // public/. Never by extension: /jobs/x.js is a page (a job id nobody has) and must get the CSP.
  // A new file in public/ must be added here (a test fetches every one without a session).
  matcher: ["/((?!api/|_next/|icon\\.svg$|screenshot\\.png$|screenshot-sources\\.png$).*)"],
};
