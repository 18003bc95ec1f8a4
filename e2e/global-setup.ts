// Runs after the web servers are up (Playwright starts webServer first: the identity provider,
// then e2e/start-server.mjs, which made the fresh database). Checks that the app runs on the
// local e2e database and applied its migrations at start-up, then signs in as the admin, the
// operator and the viewer through the identity provider's login form and saves each browser
// state (e2e/.auth/<role>.json). Specs run as the admin unless they `test.use` another state.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type FullConfig } from "@playwright/test";
import { expectSignedInAs, SignInPage } from "./pages/sign-in-page";
import { storageStatePath, USERS } from "./support/auth";
import { E2E_DATABASE_URL, assertLocalDatabaseUrl, openE2eDatabase } from "./support/database";

const ROLES = ["admin", "operator", "viewer"] as const;

export default async function globalSetup(config: FullConfig): Promise<void> {
  assertLocalDatabaseUrl(E2E_DATABASE_URL);
  const use = config.projects[0]?.use ?? {};
  const baseURL = use.baseURL;
  const res = await fetch(`${baseURL}/api/health`);
  const health = (await res.json()) as { ok: boolean; database: string; pending_migrations?: string[] };
  const dbName = new URL(E2E_DATABASE_URL).pathname.slice(1);
  if (!health.ok || !health.database.endsWith(`/${dbName}`)) {
    throw new Error(`the app under test is not healthy on ${dbName}: ${JSON.stringify(health)}`);
  }
  const db = await openE2eDatabase();
  try {
    const applied = await db.query<{ tag: string }>("select tag from jobdeck_migrations order by id");
    if (!applied.length) throw new Error("the app did not apply migrations at start-up");
  } finally {
    await db.close();
  }

  const browser = await chromium.launch(use.launchOptions);
  try {
    await Promise.all(ROLES.map((role) => saveSignedInState(browser, baseURL!, role)));
  } finally {
    await browser.close();
  }
}

/** Signs in as `role` in a fresh browser context, through the provider's form, and saves the state. */
async function saveSignedInState(browser: Browser, baseURL: string, role: (typeof ROLES)[number]): Promise<void> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  try {
    await page.goto("/jobs");
    const signIn = new SignInPage(page);
    await signIn.heading.waitFor();
    await signIn.signInAs(USERS[role]);
    await page.waitForURL(`${baseURL}/jobs`);
    await expectSignedInAs(page, USERS[role], role);
    const file = storageStatePath(role);
    mkdirSync(path.dirname(file), { recursive: true });
    await context.storageState({ path: file });
  } catch (err) {
    throw new Error(`global setup could not sign in as the ${role} (${USERS[role]}) at ${page.url()}: ${(err as Error).message}`);
  } finally {
    await context.close();
  }
}
