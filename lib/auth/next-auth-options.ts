// next-auth v4 configuration, built per request from the settings (lib/auth/settings.ts):
// - provider `oidc`: any OpenID Connect provider by its discovery document (PKCE + state), so the
//   redirect URI to register is <NEXTAUTH_URL>/api/auth/callback/oidc;
// - provider `demo` (only when demo sign-in is allowed): pick a demo viewer/operator/admin;
// - JWT sessions whose lifetime is JOBDECK_SESSION_HOURS; the cookie holds the identity and
//   groups, and lib/auth/session.ts turns them into roles on each request.
import type { AuthOptions, Profile, Session } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { groupsFromClaims } from "./role-map";
import { type Role, ROLES } from "./roles";
import { type SessionClaims, sessionEndsAt } from "./session";
import type { AuthSettings } from "./settings";

export const DEMO_EMAIL_DOMAIN = "demo.jobdeck.local";

export function demoUser(role: Role) {
  return { id: `demo-${role}`, email: `${role}@${DEMO_EMAIL_DOMAIN}`, name: `Demo ${role}`, role };
}

function oidcProvider(s: NonNullable<AuthSettings["oidc"]>): OAuthConfig<Profile & Record<string, unknown>> {
  return {
    id: "oidc",
    name: s.displayName,
    type: "oauth",
    wellKnown: `${s.issuer}/.well-known/openid-configuration`,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    authorization: { params: { scope: process.env.OIDC_SCOPE?.trim() || "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile: (p) => ({ id: String(p.sub), email: (p.email as string | undefined) ?? null, name: (p.name as string | undefined) ?? (p.preferred_username as string | undefined) ?? null }),
  };
}

const demoProvider = CredentialsProvider({
  id: "demo",
  name: "Demo user",
  credentials: { role: { label: "Role", type: "text" } },
  async authorize(credentials) {
    const role = credentials?.role;
    return role && (ROLES as readonly string[]).includes(role) ? demoUser(role as Role) : null;
  },
});

// next-auth's default logger prints whole error objects, which can carry tokens or codes from the
// identity provider: log the code and message only.
const logger = {
  error(code: string, meta: unknown) {
    const m = meta as { message?: string; error?: { message?: string } } | undefined;
    console.error(`[jobdeck] auth ${code}: ${String(m?.error?.message ?? m?.message ?? "").split("\n")[0].slice(0, 300)}`);
  },
  warn(code: string) {
    if (code !== "DEBUG_ENABLED") console.warn(`[jobdeck] auth warning ${code}`);
  },
  debug() {},
};

export function buildAuthOptions(settings: AuthSettings, secureCookies: boolean): AuthOptions {
  // The session ends at auth_time + JOBDECK_SESSION_HOURS (enforced by lib/auth/session.ts on
  // every request). The cookie outlives it by a day so the browser still holds it then, and
  // Jobdeck can say "your session has ended" instead of silently showing the sign-in page.
  const maxAge = Math.round(settings.sessionHours * 3600) + 86_400;
  return {
    providers: [...(settings.oidc ? [oidcProvider(settings.oidc)] : []), ...(settings.demo ? [demoProvider] : [])],
    secret: settings.secret ?? undefined,
    session: { strategy: "jwt", maxAge },
    jwt: { maxAge },
    useSecureCookies: secureCookies,
    pages: { signIn: "/signin", signOut: "/signout", error: "/signin" },
    logger,
    callbacks: {
      async jwt({ token, account, profile, user }) {
        if (!account) return token; // an existing session: keep what sign-in wrote
        const claims: SessionClaims = { sub: token.sub, email: token.email, name: token.name, auth_time: Math.floor(Date.now() / 1000) };
        if (account.provider === "demo") {
          claims.src = "demo";
          claims.role = (user as { role?: Role }).role;
        } else {
          claims.src = "oidc";
          claims.groups = groupsFromClaims((profile ?? {}) as Record<string, unknown>, settings.rolesClaim);
        }
        console.log(`[jobdeck] signed in: ${claims.email ?? claims.sub} via ${account.provider}`);
        return claims as typeof token;
      },
      // What /api/auth/session tells the browser: who, nothing else.
      async session({ token }): Promise<Session> {
        const ended = typeof token.auth_time !== "number" || sessionEndsAt(token.auth_time, settings) * 1000 <= Date.now();
        if (ended) return { expires: new Date(0).toISOString() };
        return { expires: new Date(sessionEndsAt(token.auth_time as number, settings) * 1000).toISOString(), user: { name: token.name ?? null, email: token.email ?? null } };
      },
    },
  };
}
