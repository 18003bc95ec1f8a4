// Who the e2e suite signs in as, and how the app under test is wired to the suite's identity
// provider (e2e/support/oidc-provider.mjs). Shared by playwright.config.ts, the global setup and
// the specs, so the ports, the client and the accounts are named once.
import { readFileSync } from "node:fs";
import path from "node:path";
import { E2E_DATABASE_URL } from "./database";

// The provider's directory (oidc-accounts.json): one password for every account.
const directory = JSON.parse(readFileSync(path.join(import.meta.dirname, "oidc-accounts.json"), "utf8")) as { password: string };

export const APP_PORT = Number(process.env.JOBDECK_E2E_PORT ?? 3100);
/** A second app server (same build, short sessions) that the session-expiry test starts itself. */
export const SHORT_SESSION_APP_PORT = Number(process.env.JOBDECK_E2E_SHORT_SESSION_PORT ?? APP_PORT + 1);
export const OIDC_PORT = Number(process.env.JOBDECK_E2E_OIDC_PORT ?? 3190);
/** Another identity provider and an app server signing in through it (e2e/sso-providers.spec.ts starts both). */
export const SSO_VARIANT_APP_PORT = Number(process.env.JOBDECK_E2E_SSO_VARIANT_PORT ?? APP_PORT + 2);
export const SSO_VARIANT_OIDC_PORT = Number(process.env.JOBDECK_E2E_SSO_VARIANT_OIDC_PORT ?? OIDC_PORT + 1);

export const appUrl = (port: number = APP_PORT) => `http://127.0.0.1:${port}`;
export const OIDC_ISSUER = `http://127.0.0.1:${OIDC_PORT}`;
export const OIDC_CLIENT_ID = "jobdeck-e2e";
export const OIDC_CLIENT_SECRET = "jobdeck-e2e-client-secret";
export const OIDC_DISPLAY_NAME = "Example IdP";
/** Bulk actions on more jobs than this need an admin (small, so a test can exceed it). */
export const BULK_CONFIRM_THRESHOLD = 5;
/** List queries with expensive filters one user may run per window (lib/server/expensive-filter-limit). */
export const EXPENSIVE_FILTER_LIMIT = 8;
export const EXPENSIVE_FILTER_WINDOW_SECONDS = 10;

/** The provider's accounts: one per role, and one whose groups map to no role. */
export const USERS = {
  viewer: "viewer@example.com",
  operator: "operator@example.com",
  admin: "admin@example.com",
  nobody: "nobody@example.com",
} as const;
export type E2eUser = keyof typeof USERS;
export const PASSWORD = directory.password;

/** Where the global setup saves each role's signed-in browser state (gitignored). */
export function storageStatePath(role: Exclude<E2eUser, "nobody">): string {
  return path.resolve(import.meta.dirname, "..", ".auth", `${role}.json`);
}

/** The environment of the e2e identity provider. */
export function oidcProviderEnv(): Record<string, string> {
  return {
    JOBDECK_E2E_OIDC_PORT: String(OIDC_PORT),
    JOBDECK_E2E_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
    JOBDECK_E2E_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
    JOBDECK_E2E_OIDC_REDIRECT_URIS: [APP_PORT, SHORT_SESSION_APP_PORT].map((p) => `${appUrl(p)}/api/auth/callback/oidc`).join(","),
    JOBDECK_E2E_OIDC_GROUPS: "profile", // groups in the ID token with the profile scope
  };
}

/** The Redis the Celery spec starts (e2e/celery.spec.ts) and the app's `tasks` source names as its broker. */
export const E2E_CELERY_REDIS_PORT = Number(process.env.JOBDECK_E2E_CELERY_REDIS_PORT ?? OIDC_PORT + 5);
export const E2E_CELERY_BROKER = `redis://127.0.0.1:${E2E_CELERY_REDIS_PORT}/0`;

/**
 * The foreign sources the app under test shows, all in the e2e database (whose schemas the
 * sources spec installs with pg-boss and graphile-worker themselves): pg-boss as `billing`, and
 * read-only as `billing-ro`; graphile-worker as `mail`; a Celery cluster as `tasks` (its broker
 * is the Redis the Celery spec starts; its rows are in the e2e database).
 */
export const E2E_SOURCES = [
  { name: "billing", kind: "pg-boss" },
  { name: "mail", kind: "graphile-worker" },
  { name: "billing-ro", kind: "pg-boss", readOnly: true },
  { name: "tasks", kind: "celery", broker: E2E_CELERY_BROKER },
];

/** The environment of an app server under test on `port` (signing in through the e2e provider). */
export function appServerEnv(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: E2E_DATABASE_URL,
    PORT: String(port),
    NEXT_TELEMETRY_DISABLED: "1",
    JOBDECK_DEMO: "0",
    JOBDECK_DEMO_AUTH: "0",
    OIDC_ISSUER,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_DISPLAY_NAME,
    NEXTAUTH_URL: appUrl(port),
    NEXTAUTH_SECRET: "jobdeck-e2e-nextauth-secret-not-for-production-use",
    JOBDECK_BULK_CONFIRM_THRESHOLD: String(BULK_CONFIRM_THRESHOLD),
    JOBDECK_SOURCES: JSON.stringify(E2E_SOURCES),
    // The global setup reads which database the app uses from /api/health before anyone signs in.
    JOBDECK_HEALTH_DETAILS: "1",
    // Small, so a spec can spend a user's budget of expensive searches and watch the page wait.
    JOBDECK_EXPENSIVE_FILTER_LIMIT: String(EXPENSIVE_FILTER_LIMIT),
    JOBDECK_EXPENSIVE_FILTER_WINDOW_SECONDS: String(EXPENSIVE_FILTER_WINDOW_SECONDS),
    // The defaults, whatever the shell that runs the suite has set.
    JOBDECK_SESSION_HOURS: "8",
    JOBDECK_ROLE_MAP: "",
    OIDC_ROLES_CLAIM: "",
    OIDC_SCOPE: "",
    ...extra,
  };
}
