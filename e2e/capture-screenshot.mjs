#!/usr/bin/env node
// Captures the overview of a running Jobdeck (default http://localhost:3000) for the README:
// `node e2e/capture-screenshot.mjs [url] [out.png] [light|dark]`. Against `npm run demo` it signs
// in as the demo operator first.
import { chromium } from "@playwright/test";

const [url = "http://localhost:3000/", out = "public/screenshot.png", scheme = "light"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.JOBDECK_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: scheme === "dark" ? "dark" : "light" });
await page.goto(url, { waitUntil: "networkidle" });
if (new URL(page.url()).pathname === "/signin") {
  await page.getByRole("button", { name: "Sign in as demo operator" }).click();
  await page.waitForURL((u) => u.pathname !== "/signin");
  await page.waitForLoadState("networkidle");
}
await page.screenshot({ path: out, fullPage: true });
await browser.close();
console.log(`saved ${out}`);
