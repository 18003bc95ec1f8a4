// End-to-end tests: Debian's Chromium against the production build (`next start`) on a fresh
// local PostgreSQL database, `jobdeck_e2e`, that the suite owns.
import { defineConfig } from "@playwright/test";
import { E2E_DATABASE_URL, assertLocalDatabaseUrl } from "./e2e/support/database";

assertLocalDatabaseUrl(E2E_DATABASE_URL);
const PORT = Number(process.env.JOBDECK_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;

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
  projects: [{ name: "chromium", use: { browserName: "chromium", viewport: { width: 1440, height: 900 } } }],
  webServer: {
    command: "node e2e/start-server.mjs",
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 300_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: E2E_DATABASE_URL,
      PORT: String(PORT),
      NEXT_TELEMETRY_DISABLED: "1",
      JOBDECK_DEMO: "0",
    },
  },
});
