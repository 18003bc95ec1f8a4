// The proxy only steers browsers; it decides nothing about permissions. A page request without a
// live session is redirected to /signin (and back afterwards); every page, server action and API
// route still checks the caller itself (lib/auth). One refusal happens here because nothing later
// can do it well: a server-action POST from another site's page (CSRF) gets a plain 403, where
// Next's own origin check would answer 500.
import { type NextRequest, NextResponse } from "next/server";
import { foreignOrigin } from "@/lib/auth/origin";
import { callerFromClaims, readSessionClaims } from "@/lib/auth/session";
import { authSettings, useSecureCookies } from "@/lib/auth/settings";

// Reachable without a session: sign-in itself, and what the sign-in page needs.
const PUBLIC_PAGES = ["/signin", "/signout", "/no-access"];

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  if (request.method === "POST" && request.headers.has("next-action")) {
    const foreign = foreignOrigin(request.headers);
    if (foreign) {
      console.warn(`[jobdeck] refused a server action from another site (Origin ${foreign.slice(0, 100)}) on ${pathname}`);
      return new NextResponse("Forbidden: this action was sent from another site.\n", { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    return NextResponse.next(); // the action answers 401/403 itself; a redirect would re-send the POST
  }
  if (PUBLIC_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return NextResponse.next();

  const settings = authSettings();
  const cookies = Object.fromEntries(request.cookies.getAll().map((c) => [c.name, c.value]));
  const caller = callerFromClaims(await readSessionClaims(cookies, settings, useSecureCookies(request.headers)), settings);
  if (caller) return NextResponse.next();
  const signin = new URL("/signin", request.url);
  signin.searchParams.set("callbackUrl", `${pathname}${search}`);
  if (cookies["next-auth.session-token"] || cookies["__Secure-next-auth.session-token"] || cookies["next-auth.session-token.0"]) signin.searchParams.set("expired", "1");
  return NextResponse.redirect(signin);
}

export const config = {
  // Pages only: API routes answer 401/403 as JSON themselves; Next's assets and files in public/ need no session.
  matcher: ["/((?!api/|_next/|favicon\\.ico|screenshot\\.png|.*\\.(?:png|svg|ico|css|js|txt|woff2?)$).*)"],
};
