// The overview shows exact counts of what a spec seeded, passes axe, and renders user data as text.
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { NAV_ITEMS } from "../components/nav-items";
import type { Database } from "../db/client";
import { OverviewPage } from "./pages/overview-page";
import { openE2eDatabase, truncateAll } from "./support/database";
import { seedDead, seedPending, seedRunning } from "./support/seed";

let db: Database;
test.beforeAll(async () => {
  db = await openE2eDatabase();
});
test.afterAll(async () => {
  await db?.close();
});
test.beforeEach(async () => {
  await truncateAll(db);
});

test("the overview shows exactly the dead, pending and stale jobs that were seeded", async ({ page }) => {
  await seedDead(db, 3);
  await seedPending(db, 2);
  await seedRunning(db, 1, 1);
  await new Promise((r) => setTimeout(r, 1_500)); // let the running job's 1 s lease expire

  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.stat("dead")).toHaveText("3");
  await expect(overview.stat("pending")).toHaveText("2");
  await expect(overview.stat("running")).toHaveText("1");
  await expect(overview.stat("stale")).toHaveText("1");
  await expect(overview.stat("retrying")).toHaveText("0");
  await expect(overview.deadJobRows).toHaveCount(3);
  await expect(overview.dbBanner).toHaveCount(0);
  await page.screenshot({ path: "e2e/artifacts/overview.png", fullPage: true });

  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
});

test("the overview passes axe in the dark theme too", async ({ page }) => {
  await seedDead(db, 1);
  await seedRunning(db, 1, 1);
  await page.emulateMedia({ colorScheme: "dark" });
  await new Promise((r) => setTimeout(r, 1_500));
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.stat("stale")).toHaveText("1");
  await page.screenshot({ path: "e2e/artifacts/overview-dark.png", fullPage: true });
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
});

test("a job whose error and payload contain HTML renders it as text", async ({ page }) => {
  const evil = "<img src=x onerror=alert(1)>";
  await seedDead(db, 1, { kind: `render_${evil}`, error: `TemplateError: ${evil}`, payload: { html: evil } });
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  const overview = new OverviewPage(page);
  await overview.goto();
  const row = overview.deadJobRows.first();
  await expect(row).toContainText(`TemplateError: ${evil}`);
  await expect(row).toContainText(`render_${evil}`);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test("every section link in the header either works or is marked as coming soon", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  const nav = page.getByRole("navigation", { name: "Primary" });
  await expect(nav.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  for (const href of await nav.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href")))) {
    const res = await page.request.get(href!);
    expect(res.status(), `${href}`).toBe(200);
  }
  await expect(nav.locator('[aria-disabled="true"]')).toHaveCount(NAV_ITEMS.filter((i) => !i.ready).length);
});
