// The overview shows exact counts of what a spec seeded, renders charts and the per-kind table
// from seeded history (job_rollups, queue_depth_samples), lists what needs attention, passes axe
// in both themes, and renders user data as text.
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { NAV_ITEMS } from "../components/nav-items";
import type { Database } from "../db/client";
import { OverviewPage } from "./pages/overview-page";
import { freshE2eDatabasePerTest } from "./support/database";
import { seedDead, seedPending, seedRunning } from "./support/seed";

let db: Database;
freshE2eDatabasePerTest((d) => (db = d));

const RUNTIME_BUCKETS = 48;
const hist = (bucket: number, n: number) => Array.from({ length: RUNTIME_BUCKETS }, (_, i) => (i === bucket ? n : 0));

/**
 * A day of history for queue "e2e-history", kind "ingest_feed": minutes 1–50 ago 6 completed and
 * 1 failed attempt each (every 5th minute that failure went dead), runtimes ≈ 200 ms (p95 ≈ 1.4 s);
 * minutes 70 min – 23 h ago 4 completed each. Depth samples every minute of the last 23 h.
 * Offsets stay clear of the 1 h / 24 h edges so a few seconds between seeding and rendering
 * cannot move a row across them.
 */
async function seedHistory() {
  await db.query(
    `insert into job_rollups (bucket, queue, kind, completed, failed, dead, runtime_ms_sum, runtime_count, runtime_hist)
     select date_trunc('minute', now()) - g * interval '1 minute', 'e2e-history', 'ingest_feed', 6, 1, (g % 5 = 0)::int, 6 * 200, 6, $1
     from generate_series(1, 50) g`,
    [hist(16, 5).map((n, i) => (i === 21 ? 1 : n))],
  );
  await db.query(
    `insert into job_rollups (bucket, queue, kind, completed, runtime_ms_sum, runtime_count, runtime_hist)
     select date_trunc('minute', now()) - g * interval '1 minute', 'e2e-history', 'ingest_feed', 4, 4 * 200, 4, $1
     from generate_series(70, 23 * 60) g`,
    [hist(16, 4)],
  );
  await db.query(
    `insert into queue_depth_samples (bucket, queue, ready, scheduled, running, retrying)
     select date_trunc('minute', now()) - g * interval '1 minute', 'e2e-history', 20 + (g % 30), 5, 3 + (g % 4), g % 7
     from generate_series(0, 23 * 60) g`,
  );
}

async function expectAxeClean(page: import("@playwright/test").Page) {
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
}

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

test("cards, charts, the per-kind table and the attention list render a day of seeded history", async ({ page }) => {
  await seedHistory();
  await seedRunning(db, 1, 1); // becomes a stale lock
  await new Promise((r) => setTimeout(r, 1_500));

  const overview = new OverviewPage(page);
  await overview.goto("24h");
  // 50 minutes × 6 in the last hour; plus (23 h − 70 min + 1) minutes × 4 in the last 24 h.
  await expect(overview.stat("completed-1h")).toHaveText("300");
  await expect(overview.stat("completed")).toHaveText((300 + (23 * 60 - 70 + 1) * 4).toLocaleString("en-US"));
  await expect(overview.stat("stale")).toHaveText("1");

  for (const id of ["throughput", "depth", "failure-rate", "runtime"]) {
    await expect(overview.chart(id).locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  }
  // Throughput draws bars; the other charts draw their lines/areas.
  await expect(overview.chart("throughput").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(overview.chart("runtime").locator(".recharts-line-curve").first()).toBeVisible();
  await expect(overview.chart("depth").locator(".recharts-area-area").first()).toBeVisible();
  await expect(overview.chartSummary("throughput")).toContainText(`${(300 + (23 * 60 - 70 + 1) * 4).toLocaleString("en-US")} completed and 50 failed attempts (10 went dead)`);
  await expect(overview.chartSummary("depth")).toContainText("Latest sample average");

  const row = overview.kindRow("e2e-history", "ingest_feed");
  await expect(row).toBeVisible();
  await expect(row.getByRole("link", { name: /of ingest_feed in e2e-history attempts failed/ })).toHaveAttribute("href", "/jobs?queue=e2e-history&kind=ingest_feed&state=failed%2Cdead");
  await expect(row.getByRole("link", { name: /ingest_feed in e2e-history completed in the last 24 h/ })).toHaveAttribute(
    "href",
    "/jobs?queue=e2e-history&kind=ingest_feed&state=completed&finishedSince=24h",
  );

  await expect(overview.attention("stale")).toContainText("1 stale lock");
  await expect(overview.attention("stale").getByRole("link")).toHaveAttribute("href", "/stale");
  await expect(overview.attention("dead-rising-e2e-history-ingest_feed")).toContainText("10 jobs went dead in the last hour, 0 the hour before");

  await page.screenshot({ path: "e2e/artifacts/overview-history.png", fullPage: true });
  await expectAxeClean(page);

  // The range is in the URL; 7 d shows the same history in 2-hour intervals.
  await overview.rangeLink("7d").click();
  await expect(page).toHaveURL(/range=7d/);
  await expect(overview.chart("throughput")).toContainText("last 7 days");
  await expect(overview.rangeLink("7d")).toHaveAttribute("aria-current", "page");
});

test("the charts with seeded history pass axe in the dark theme", async ({ page }) => {
  await seedHistory();
  await page.emulateMedia({ colorScheme: "dark" });
  const overview = new OverviewPage(page);
  await overview.goto("1h");
  await expect(overview.chart("throughput").locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  await page.screenshot({ path: "e2e/artifacts/overview-history-dark.png", fullPage: true });
  await expectAxeClean(page);
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
