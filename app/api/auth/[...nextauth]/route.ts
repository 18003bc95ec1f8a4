// next-auth's endpoints (/api/auth/signin, /callback/oidc, /signout, /csrf, /session, …). Public
// by design: this is how a caller becomes someone. Options are built per request so the cookie
// security follows NEXTAUTH_URL / the forwarded protocol (lib/auth/settings.ts).
import NextAuth from "next-auth";
import { buildAuthOptions } from "@/lib/auth/next-auth-options";
import { authSettings, secureCookiesFor } from "@/lib/auth/settings";

export const dynamic = "force-dynamic";

// `next dev` without NEXTAUTH_URL: redirect back to whatever host the developer uses (next-auth
// would otherwise assume http://localhost:3000). Production sets NEXTAUTH_URL (start-up checks).
if (process.env.NODE_ENV !== "production" && !process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "1";

type Ctx = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: Ctx): Promise<Response> {
  const options = buildAuthOptions(authSettings(), secureCookiesFor(request.headers));
  return NextAuth(request as never, context as never, options) as Promise<Response>;
}

export { handler as GET, handler as POST };
