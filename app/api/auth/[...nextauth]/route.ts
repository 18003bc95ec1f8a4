// next-auth's endpoints (/api/auth/signin, /callback/oidc, /signout, /csrf, /session, …). Public
// by design: this is how a caller becomes someone. Options are built per request so the cookie
// security follows NEXTAUTH_URL / the forwarded protocol (lib/auth/settings.ts), a sign-in asks
// for the scope the provider's discovery document offers, and a callback that ends in an error
// is written to the audit log (lib/auth/sign-in-audit.ts).
import NextAuth from "next-auth";
import { buildAuthOptions } from "@/lib/auth/next-auth-options";
import { oidcScope } from "@/lib/auth/oidc-claims";
import { authSettings, builtForProduction, secureCookiesFor } from "@/lib/auth/settings";
import { type AuthError, auditRefusedSignIn } from "@/lib/auth/sign-in-audit";

export const dynamic = "force-dynamic";

// `next dev` without NEXTAUTH_URL: redirect back to whatever host the developer uses (next-auth
// would otherwise assume http://localhost:3000). Production sets NEXTAUTH_URL (start-up checks).
if (!builtForProduction() && !process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "1";

type Ctx = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: Ctx): Promise<Response> {
  const settings = authSettings();
  const [action, providerId] = (await context.params).nextauth ?? [];
  // Reading the discovery document costs a request to the provider: only when a sign-in starts.
  const scope = action === "signin" && providerId === "oidc" && settings.oidc ? await oidcScope(settings.oidc, settings.rolesClaim) : undefined;
  const errors: AuthError[] = [];
  const options = buildAuthOptions(settings, secureCookiesFor(request.headers), { scope, onError: (e) => errors.push(e) });
  const response = (await NextAuth(request as never, context as never, options)) as Response;
  if (action === "callback" && providerId === "oidc" && errors.length) {
    await auditRefusedSignIn("oidc", errors, new URL(request.url).searchParams.get("error"));
  }
  return response;
}

export { handler as GET, handler as POST };
