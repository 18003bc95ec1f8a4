// next-auth v4 configuration, built per request from the settings (lib/auth/settings.ts):
// - provider `oidc`: any OpenID Connect provider by its discovery document (PKCE + state), so the
//   redirect URI to register is <NEXTAUTH_URL>/api/auth/callback/oidc; the scope and the userinfo
//   fallback for groups are worked out in oidc-claims.ts;
// - provider `demo` (only when demo sign-in is allowed): pick a demo viewer/operator/admin;
// - JWT sessions whose lifetime is JOBDECK_SESSION_HOURS; the cookie holds the identity and
//   groups, and lib/auth/session.ts turns them into roles on each request;
// - sign-ins and sign-outs go to the audit log (sign-in-audit.ts).
import type { AuthOptions, Profile, Session, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { claimsWithUserinfo, DEFAULT_OIDC_SCOPE } from "./oidc-claims";
import { groupsFromClaims } from "./role-map";
import { type Role, ROLES } from "./roles";
import { type SessionClaims, sessionEndsAt } from "./session";
import type { AuthSettings } from "./settings";
import { type AuthError, auditRefusedDemoSignIn, auditSignIn, auditSignOut } from "./sign-in-audit";

export const DEMO_EMAIL_DOMAIN = "demo.jobdeck.local";

export function demoUser(role: Role) {
  return { id: `demo-${role}`, email: `${role}@${DEMO_EMAIL_DOMAIN}`, name: `Demo ${role}`, role };
}

/** The user a sign-in produces: the identity and, for single sign-on, the groups of the roles claim. */
type SignedInUser = User & { groups?: string[]; role?: Role };

function oidcProvider(s: NonNullable<AuthSettings["oidc"]>, rolesClaim: string, scope: string): OAuthConfig<Profile & Record<string, unknown>> {
  return {
    id: "oidc",
    name: s.displayName,
    type: "oauth",
    wellKnown: `${s.issuer}/.well-known/openid-configuration`,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    authorization: { params: { scope } },
    idToken: true,
    checks: ["pkce", "state"],
    // next-auth reads the (verified) ID token; when it lacks the roles claim, userinfo completes it.
    // (`tokens` is openid-client's TokenSet: userinfo() with it checks that sub matches the ID token.)
    userinfo: {
      request: async ({ tokens, client }) => {
        const set = tokens as unknown as Parameters<typeof client.userinfo>[0] & { claims(): Record<string, unknown>; access_token?: string };
        return claimsWithUserinfo(set.claims(), rolesClaim, set.access_token ? () => client.userinfo(set) : null) as Promise<Profile>;
      },
    },
    profile: (p): SignedInUser => ({
      id: String(p.sub),
      email: (p.email as string | undefined) ?? null,
      name: (p.name as string | undefined) ?? (p.preferred_username as string | undefined) ?? null,
      groups: groupsFromClaims(p, rolesClaim),
    }),
  };
}

const demoProvider = CredentialsProvider({
  id: "demo",
  name: "Demo user",
  credentials: { role: { label: "Role", type: "text" } },
  async authorize(credentials) {
    const role = credentials?.role;
    if (role && (ROLES as readonly string[]).includes(role)) return demoUser(role as Role);
    await auditRefusedDemoSignIn();
    return null;
  },
});

// next-auth's default logger prints whole error objects, which can carry tokens or codes from the
// identity provider: log the code and message only, and hand them to the request (onError) so a
// refused sign-in can be audited.
function logger(onError?: (e: AuthError) => void) {
  return {
    error(code: string, meta: unknown) {
      const m = meta as { message?: string; error?: { message?: string } } | undefined;
      const message = String(m?.error?.message ?? m?.message ?? "").split("\n")[0].slice(0, 300);
      console.error(`[jobdeck] auth ${code}: ${message}`);
      onError?.({ code, message });
    },
    warn(code: string) {
      if (code !== "DEBUG_ENABLED") console.warn(`[jobdeck] auth warning ${code}`);
    },
    debug() {},
  };
}

export interface AuthRequestOptions {
  /** The scope a sign-in asks for (oidcScope(): worked out once per sign-in); default: OIDC_SCOPE or "openid email profile". */
  scope?: string;
  /** Told of every error next-auth reports while handling this request. */
  onError?: (e: AuthError) => void;
}

export function buildAuthOptions(settings: AuthSettings, secureCookies: boolean, request: AuthRequestOptions = {}): AuthOptions {
  // The session ends at auth_time + JOBDECK_SESSION_HOURS (enforced by lib/auth/session.ts on
  // every request). The cookie outlives it by a day so the browser still holds it then, and
  // Jobdeck can say "your session has ended" instead of silently showing the sign-in page.
  const maxAge = Math.round(settings.sessionHours * 3600) + 86_400;
  return {
    providers: [
      ...(settings.oidc ? [oidcProvider(settings.oidc, settings.rolesClaim, request.scope ?? settings.oidc.scope ?? DEFAULT_OIDC_SCOPE)] : []),
      ...(settings.demo ? [demoProvider] : []),
    ],
    secret: settings.secret ?? undefined,
    session: { strategy: "jwt", maxAge },
    jwt: { maxAge },
    useSecureCookies: secureCookies,
    pages: { signIn: "/signin", signOut: "/signout", error: "/signin" },
    logger: logger(request.onError),
    events: {
      async signIn({ user, account }) {
        const u = user as SignedInUser;
        await auditSignIn(settings, { provider: account?.provider ?? "unknown", sub: u.id, email: u.email, name: u.name, groups: u.groups, role: u.role });
      },
      async signOut({ token }) {
        await auditSignOut(settings, token as SessionClaims | null);
      },
    },
    callbacks: {
      async jwt({ token, account, user }) {
        if (!account) return token; // an existing session: keep what sign-in wrote
        const claims: SessionClaims = { sub: token.sub, email: token.email, name: token.name, auth_time: Math.floor(Date.now() / 1000) };
        if (account.provider === "demo") {
          claims.src = "demo";
          claims.role = (user as SignedInUser).role;
        } else {
          claims.src = "oidc";
          claims.groups = (user as SignedInUser).groups ?? [];
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
