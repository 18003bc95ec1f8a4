// End-to-end tests: Debian's Chromium against the production build (`next start`) on a fresh
// local PostgreSQL database, `jobdeck_e2e`, that the suite owns, signing in through a local
// OpenID Provider (e2e/support/oidc-provider.mjs). The global setup signs in as admin, operator
// and viewer once each; specs run as the admin unless they say otherwise.
import { defineConfig } from "@playwright/test";
import { APP_PORT, appServerEnv, appUrl, OIDC_ISSUER, oidcProviderEnv, storageStatePath } from "./e2e/support/auth";
import { E2E_DATABASE_URL, assertLocalDatabaseUrl } from "./e2e/support/database";

assertLocalDatabaseUrl(E2E_DATABASE_URL);
const baseURL = appUrl(APP_PORT);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  // Specs share one database and assert exact counts: one at a time.
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  globalSetup: "./e2e/global-setup.ts",
  use: {
    baseURL,
    headless: true,
    screenshot: "on",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.JOBDECK_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [
    {
      name: "chromium",
      use: { browserName: "chromium", viewport: { width: 1440, height: 900 }, storageState: storageStatePath("admin") },
    },
  ],
  // Started in order: the identity provider, then the app (which reads its discovery document
  // when someone signs in).
  webServer: [
    {
      command: "node e2e/support/oidc-provider.mjs",
      url: `${OIDC_ISSUER}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
      env: oidcProviderEnv(),
    },
    {
      command: "node e2e/start-server.mjs",
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 300_000,
      stdout: "pipe",
      stderr: "pipe",
      env: appServerEnv(APP_PORT),
    },
  ],
});
