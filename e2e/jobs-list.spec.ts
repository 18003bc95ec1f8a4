// The Jobs list: seeded jobs with their columns, filters from the URL and the filter bar, invalid
// filters named on the page, bulk retry by filter with its preview, cancel from the list, user
// data rendered as text, and axe. Each test uses kinds of its own, so tests never see each
// other's jobs (the database is shared across specs).
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import type { Database } from "../db/client";
import { claim, enqueueMany } from "../lib/queue";
import { JobsPage } from "./pages/jobs-page";
import { EXPENSIVE_FILTER_WINDOW_SECONDS, storageStatePath } from "./support/auth";
import { openE2eDatabase } from "./support/database";
import { seedDead, seedPending } from "./support/seed";

let db: Database;
test.beforeAll(async () => {
  db = await openE2eDatabase();
});
test.afterAll(async () => {
  await db?.close();
});

let seq = 0;
const uniqueKind = (label: string) => `e2e_jobs_${label}_${Date.now().toString(36)}${seq++}`;

/** Running jobs of `kind` that hold a long lease (their worker "is busy"). */
async function seedRunningOfKind(kind: string, count: number): Promise<number[]> {
  const queue = `e2e-run-${kind}`;
  await enqueueMany(db, Array.from({ length: count }, () => ({ kind, queue })));
  const claimed = await claim(db, { workerId: "e2e-busy-worker", queues: [queue], limit: count, leaseSeconds: 600 });
  return claimed.map((j) => j.id);
}

/** A state cell's text: the badge's shape (hidden from screen readers) and the state's name. */
const state = (name: string) => new RegExp(`^[^a-z]*${name}$`);

async function statesOf(ids: number[]): Promise<Record<number, string>> {
  const rows = await db.query<{ id: number; state: string }>("select id, state from jobs where id = any($1::bigint[])", [ids]);
  return Object.fromEntries(rows.map((r) => [Number(r.id), r.state]));
}

async function expectNoSeriousAxeViolations(page: import("@playwright/test").Page) {
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
}

test("the list shows seeded jobs with id, kind, queue, state, attempts, priority, worker, age, runtime and error", async ({ page }) => {
  const kind = uniqueKind("columns");
  const dead = await seedDead(db, 2, { kind, error: "ECONNRESET: socket hang up\n    at Socket.onend (net.js:1:1)" });
  const [pending] = await seedPending(db, 1, kind);

  const jobs = new JobsPage(page);
  await jobs.goto({ kind });
  await expect(jobs.rows).toHaveCount(3);
  await expect(jobs.matchingCount).toHaveText("3");
  // Newest first.
  await expect(jobs.rows.first()).toHaveAttribute("data-job-id", String(pending));

  const id = dead[0];
  await expect(jobs.row(id).getByRole("link", { name: `#${id}` })).toHaveAttribute("href", `/jobs/${id}`);
  await expect(jobs.cell(id, "kind")).toHaveText(kind);
  await expect(jobs.cell(id, "queue")).toHaveText(/^e2e-dead-/);
  await expect(jobs.cell(id, "state")).toHaveText(state("dead"));
  await expect(jobs.cell(id, "attempts")).toHaveText("1/1");
  await expect(jobs.cell(id, "priority")).toHaveText("0");
  await expect(jobs.cell(id, "worker")).toHaveText("e2e-worker");
  await expect(jobs.cell(id, "runtime")).toHaveText(/^\d+ ms$|^\d+\.\ds$/);
  // Only the first line of the error, the full one on hover.
  await expect(jobs.cell(id, "error")).toHaveText("ECONNRESET: socket hang up");
  const age = jobs.cell(id, "age").locator("time");
  await expect(age).toHaveText(/just now|\d+ s ago/);
  await expect(age).toHaveAttribute("title", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  await expect(age).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);

  await expect(jobs.cell(pending, "state")).toHaveText(state("pending"));
  await expect(jobs.cell(pending, "worker")).toHaveText("—");
  await expect(jobs.cell(pending, "runtime")).toHaveText("—");
  await expect(jobs.liveStatus.getByRole("button", { name: /Pause live/ })).toBeVisible();
});

test("filters from the URL and from the filter bar narrow the list", async ({ page }) => {
  const kind = uniqueKind("filters");
  const dead = await seedDead(db, 2, { kind });
  const pending = await seedPending(db, 3, kind);

  const jobs = new JobsPage(page);
  await jobs.goto({ kind, state: "dead" });
  await expect(jobs.rows).toHaveCount(2);
  for (const id of dead) await expect(jobs.row(id)).toBeVisible();
  // The filter bar reflects the URL.
  await expect(jobs.filterInput("Kind")).toHaveValue(kind);
  await expect(jobs.stateCheckbox("dead")).toBeChecked();

  // Several states at once.
  await jobs.goto(`kind=${kind}&state=dead,pending`);
  await expect(jobs.rows).toHaveCount(5);

  // Through the filter bar: kind + state, and the URL carries both (shareable).
  await jobs.goto();
  await jobs.filterInput("Kind").fill(kind);
  await jobs.stateCheckbox("pending").check();
  await jobs.applyFilters();
  await expect(page).toHaveURL(new RegExp(`[?&]state=pending(&|$)`));
  await expect(page).toHaveURL(new RegExp(`[?&]kind=${kind}(&|$)`));
  await expect(jobs.rows).toHaveCount(3);
  for (const id of pending) await expect(jobs.row(id)).toBeVisible();

  // Nothing matches: an empty state with a way back.
  await jobs.goto({ kind, state: "running" });
  await expect(jobs.empty).toContainText("No jobs match these filters");
  await expect(jobs.empty.getByRole("link", { name: "Clear filters" })).toHaveAttribute("href", "/jobs");
});

test("an invalid filter in the URL is named on the page instead of an error page", async ({ page }) => {
  const jobs = new JobsPage(page);

  const res = await page.goto("/jobs?state=bogus");
  expect(res?.status()).toBe(200);
  await expect(jobs.invalidFilter).toContainText("State");
  await expect(jobs.invalidFilter).toContainText('unknown state "bogus"');
  await expect(jobs.filterError("state")).toContainText("bogus");
  await expect(jobs.rows).toHaveCount(0);

  await jobs.goto("since=banana");
  await expect(jobs.invalidFilter).toContainText("Updated within");
  await expect(jobs.invalidFilter).toContainText("banana");
  await expect(jobs.filterInput("Updated within")).toHaveAttribute("aria-invalid", "true");

  // Several at once: each is listed.
  await jobs.goto("state=bogus&createdSince=yesterday&payload=%7Bnot-json");
  await expect(jobs.invalidFilter.locator("li")).toHaveCount(3);
  await expect(jobs.filterError("createdSince")).toBeVisible();
  await expect(jobs.filterError("payload")).toContainText("JSON");
});

test("bulk retry by filter previews the counts, skips the running job and records the reason", async ({ page }) => {
  const kind = uniqueKind("bulkretry");
  const dead = await seedDead(db, 5, { kind });
  const [running] = await seedRunningOfKind(kind, 1);

  const jobs = new JobsPage(page);
  await jobs.goto({ kind });
  await expect(jobs.rows).toHaveCount(6);
  await jobs.selectAllMatching.click();
  await expect(jobs.bulkBar).toContainText("All 6 jobs matching this filter selected");
  await jobs.bulkButton("Retry").click();

  await expect(jobs.dialog).toBeVisible();
  await expect(jobs.dialog.getByRole("heading", { name: "Retry jobs" })).toBeVisible();
  await expect(jobs.dialogPreview).toHaveText("Retry 5 jobs? 1 running job will be skipped (running jobs are never retried).");
  await expect(jobs.dialogConfirm).toHaveText("Retry 5 jobs");
  await jobs.dialog.getByLabel("Reason (optional)").fill("upstream fixed, e2e");
  await jobs.dialogConfirm.click();

  await expect(jobs.toasts.last()).toContainText("Retried 5 jobs; skipped 1 running");
  await expect(jobs.dialog).toBeHidden();
  const states = await statesOf([...dead, running]);
  for (const id of dead) expect(states[id]).toBe("pending");
  expect(states[running]).toBe("running");
  // The list refreshed by itself.
  for (const id of dead) await expect(jobs.cell(id, "state")).toHaveText(state("pending"));
  await expect(jobs.cell(running, "state")).toHaveText(state("running"));
  await expect(jobs.bulkBar).toHaveCount(0);

  const audit = await db.query<{ reason: string; affected: number }>(
    "select reason, affected from audit_events where action = 'jobs.retry' and filter->>'kind' = $1",
    [kind],
  );
  expect(audit.map((a) => a.reason)).toEqual(["upstream fixed, e2e"]);
  expect(audit[0].affected).toBe(5);
});

test("a pending job can be cancelled from the list with the keyboard", async ({ page }) => {
  const kind = uniqueKind("cancel");
  const [older, newer] = await seedPending(db, 2, kind);

  const jobs = new JobsPage(page);
  await jobs.goto({ kind });
  await expect(jobs.rows).toHaveCount(2);
  await jobs.rowCheckbox(older).focus();
  await page.keyboard.press("Space");
  await expect(jobs.rowCheckbox(older)).toBeChecked();
  await expect(jobs.bulkBar).toContainText("1 job selected");
  await jobs.bulkButton("Cancel").click();
  await expect(jobs.dialogPreview).toHaveText("Cancel 1 job?");
  // Escape closes the dialog without doing anything.
  await page.keyboard.press("Escape");
  await expect(jobs.dialog).toBeHidden();
  expect((await statesOf([older]))[older]).toBe("pending");

  await jobs.bulkButton("Cancel").click();
  await expect(jobs.dialogConfirm).toHaveText("Cancel 1 job");
  await jobs.dialogConfirm.click();
  await expect(jobs.toasts.last()).toContainText("Cancelled 1 job");
  await expect(jobs.cell(older, "state")).toHaveText(state("cancelled"));
  const states = await statesOf([older, newer]);
  expect(states).toEqual({ [older]: "cancelled", [newer]: "pending" });
});

test("a job whose error and payload contain HTML renders it as text", async ({ page }) => {
  const evil = "<img src=x onerror=alert(1)>";
  const kind = uniqueKind("xss");
  const [id] = await seedDead(db, 1, { kind, error: `TemplateError: ${evil}`, payload: { html: evil } });
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  const jobs = new JobsPage(page);
  // Found by its payload (JSON contains) too.
  await jobs.goto({ kind, payload: JSON.stringify({ html: evil }) });
  await expect(jobs.rows).toHaveCount(1);
  await expect(jobs.cell(id, "error")).toHaveText(`TemplateError: ${evil}`);
  await expect(jobs.filterInput("Payload contains (JSON)")).toHaveValue(JSON.stringify({ html: evil }));
  await jobs.goto({ errorContains: evil, kind });
  await expect(jobs.rows).toHaveCount(1);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test("the jobs page passes axe in light and dark themes, also with the bulk dialog open", async ({ page }) => {
  // Four axe scans and three full-page screenshots of a page the suite has filled: slow on a busy 2-core machine.
  test.setTimeout(150_000);
  const kind = uniqueKind("axe");
  const dead = await seedDead(db, 3, { kind, error: "HTTPError: 502 Bad Gateway from https://hooks.example.com/notify" });
  await seedRunningOfKind(kind, 1);
  await seedPending(db, 2, kind);

  const jobs = new JobsPage(page);
  await jobs.goto();
  await expect(jobs.rows.first()).toBeVisible();
  await jobs.rowCheckbox(dead[0]).check();
  await jobs.rowCheckbox(dead[2]).click({ modifiers: ["Shift"] });
  await expect(jobs.bulkBar).toContainText("3 jobs selected");
  await expect(jobs.bulkBar).toBeVisible();
  await page.screenshot({ path: "e2e/artifacts/jobs.png", fullPage: true });
  await expectNoSeriousAxeViolations(page);

  await jobs.bulkButton("Retry").click();
  await expect(jobs.dialogConfirm).toBeEnabled();
  await expectNoSeriousAxeViolations(page);
  await page.screenshot({ path: "e2e/artifacts/jobs-bulk-dialog.png" });
  await page.keyboard.press("Escape");

  await page.emulateMedia({ colorScheme: "dark" });
  await jobs.goto("state=bogus");
  await expectNoSeriousAxeViolations(page);
  await jobs.goto();
  await expect(jobs.rows.first()).toBeVisible();
  await page.screenshot({ path: "e2e/artifacts/jobs-dark.png", fullPage: true });
  await expectNoSeriousAxeViolations(page);
});

test("a slow refresh stretches the live interval, and the status line says so", async ({ page }) => {
  const kind = uniqueKind("slow");
  await seedDead(db, 1, { kind });
  const jobs = new JobsPage(page);
  await jobs.goto({ kind });
  const interval = jobs.liveStatus.getByTestId("refresh-interval");
  await expect(interval).toHaveText(/^every \d+s/);
  // Hold the jobs table until the next refresh has waited 3 s for it.
  await db.tx(async (q) => {
    await q.query("lock table jobs in access exclusive mode");
    await page.waitForRequest((r) => r.url().includes("/api/internal/jobs"), { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 3_000));
  });
  await expect(interval).toHaveAttribute("title", /slowed: the last refresh took ([3-9]|\d\d+)\.\ds\); normally every 5s/);
  const took = Number(/took (\d+\.\d)s/.exec((await interval.getAttribute("title")) ?? "")?.[1]);
  // Five times as long as it took (rounded to the second, at most two minutes).
  const expected = Math.round(Math.min(120, 5 * took));
  await expect(interval).toHaveText(new RegExp(`^every (${expected - 1}|${expected}|${expected + 1})s \\(slow responses\\)$`));
  await expect(jobs.rows).toHaveCount(1);
});

test.describe("a viewer's budget of expensive searches", () => {
  test.use({ storageState: storageStatePath("viewer") });

  test("spent: the list says which filter, keeps its rows, polls again only after Retry-After, then recovers", async ({ page }) => {
    const kind = uniqueKind("budget");
    await seedDead(db, 2, { kind, error: "ECONNRESET: boom" });
    const polls: number[] = [];
    const refusals: { at: number; retryAfter: number }[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/internal/jobs")) polls.push(Date.now());
    });
    page.on("response", (r) => {
      if (r.url().includes("/api/internal/jobs") && r.status() === 429) refusals.push({ at: Date.now(), retryAfter: Number(r.headers()["retry-after"]) });
    });

    const jobs = new JobsPage(page);
    await jobs.goto({ kind, errorContains: "boom" });
    await expect(jobs.rows).toHaveCount(2);
    // Spend the rest of the budget in the same session, as a second tab would.
    let spent = false;
    for (let i = 0; i < 50 && !spent; i++) spent = (await page.request.get(`/api/internal/jobs?kind=${kind}&errorContains=boom`)).status() === 429;
    expect(spent).toBe(true);

    const notice = page.getByTestId("rate-limited");
    await expect(notice).toContainText("Too many searches by Error contains");
    await expect(notice).toContainText("rows below are from the last successful refresh");
    await expect(jobs.rows).toHaveCount(2);
    await expect(jobs.liveStatus.getByTestId("refresh-interval")).toHaveText(/^next in \ds \(rate limited\)$/);
    const refused = refusals[0];
    expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfter).toBeLessThanOrEqual(EXPENSIVE_FILTER_WINDOW_SECONDS);

    await expect(notice).toBeHidden({ timeout: (EXPENSIVE_FILTER_WINDOW_SECONDS + 10) * 1000 });
    await expect(jobs.rows).toHaveCount(2);
    // No request between the refusal and the wait it named.
    const next = polls.find((at) => at > refused.at);
    expect(next).toBeDefined();
    expect(next! - refused.at).toBeGreaterThanOrEqual(refused.retryAfter * 1000 - 250);
  });
});
