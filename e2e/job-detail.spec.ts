// The job detail page: retry a dead job and watch a real worker process complete it, cancel a
// pending job, render hostile error and payload text as text, 404 for unknown or malformed ids,
// and pass axe. Every test seeds jobs of its own kind and queue through lib/queue.
import { expect, test } from "@playwright/test";
import type { Database } from "../db/client";
import { enqueue } from "../lib/queue";
import {
  expectNoSeriousA11yViolations,
  jobState,
  seedDeadJob,
  startWorker,
  stopWorkersAfterEach,
  unique,
  waitUntil,
  type WorkerProcess,
} from "./fixtures/operator-fixtures";
import { JobDetailPage } from "./pages/job-detail-page";
import { freshE2eDatabasePerTest } from "./support/database";

let db: Database;
const workers: WorkerProcess[] = [];

freshE2eDatabasePerTest((d) => (db = d));
stopWorkersAfterEach(workers);

test("retrying a dead job from its page makes it pending, and a real worker process completes it", async ({ page }) => {
  const kind = unique("retry");
  const queue = unique("q_retry");
  const id = await seedDeadJob(db, { kind, queue });

  const detail = new JobDetailPage(page);
  await detail.goto(id);
  await expect(detail.state).toContainText("dead");
  await expect(detail.hint).toContainText("Dead after 1 attempt");
  await expect(detail.lastError).toContainText("ECONNRESET: socket hang up");
  await expect(detail.attempts).toHaveCount(1);
  await page.screenshot({ path: "e2e/artifacts/job-detail-dead.png", fullPage: true });

  await detail.action("↻ Retry").click();
  await expect(detail.dialog).toContainText(`Retry job #${id}`);
  await detail.confirm("upstream fixed, e2e");
  await expect(detail.toasts.filter({ hasText: `Retried job #${id}` })).toBeVisible();
  await expect(detail.state).toContainText("pending");
  expect(await jobState(db, id)).toBe("pending");
  const [audit] = await db.query<{ action: string; reason: string; affected: number; target_ids: number[] }>(
    "select action, reason, affected, target_ids from audit_events where action = 'jobs.retry' order by id desc limit 1",
  );
  expect(audit).toMatchObject({ reason: "upstream fixed, e2e", affected: 1, target_ids: [id] });

  // A real worker process serving only this test's queue and kind picks it up.
  workers.push(await startWorker({ queue, kinds: { [kind]: "complete" } }));
  await waitUntil(`job ${id} completed`, async () => (await jobState(db, id)) === "completed");
  // The page refreshes itself while the job is active: no reload.
  await expect(detail.state).toContainText("completed", { timeout: 15_000 });
  await expect(page.getByTestId("result")).toContainText('"done": true');
  await expect(detail.attempts).toHaveCount(2);
  await expect(page.getByText(/Not refreshing: the job is completed/)).toBeVisible();
  await page.screenshot({ path: "e2e/artifacts/job-detail-completed.png", fullPage: true });
});

test("cancelling a pending job from its page cancels it", async ({ page }) => {
  const id = await enqueue(db, { kind: unique("cancel"), queue: unique("q_cancel"), payload: { to: "ops@example.com" } });
  const detail = new JobDetailPage(page);
  await detail.goto(id);
  await expect(detail.state).toContainText("pending");
  await expect(detail.action("↻ Retry")).toHaveCount(0);

  await detail.action("✕ Cancel").click();
  await expect(detail.dialog).toContainText(`Job #${id} will not run`);
  await detail.confirm();
  await expect(detail.toasts.filter({ hasText: `Cancelled job #${id}` })).toBeVisible();
  await expect(detail.state).toContainText("cancelled");
  expect(await jobState(db, id)).toBe("cancelled");
  // A cancelled job can be retried again.
  await expect(detail.action("↻ Retry")).toBeVisible();
});

test("changing the priority of a pending job asks for the value and applies it", async ({ page }) => {
  const id = await enqueue(db, { kind: unique("prio"), queue: unique("q_prio") });
  const detail = new JobDetailPage(page);
  await detail.goto(id);
  await detail.action("⇅ Priority").click();
  await detail.dialog.getByLabel("New priority").fill("500");
  await expect(detail.dialog.getByTestId("confirm-dialog-confirm")).toBeDisabled();
  await detail.dialog.getByLabel("New priority").fill("42");
  await detail.confirm();
  await expect(detail.toasts.filter({ hasText: `Priority of job #${id} set to 42` })).toBeVisible();
  const [r] = await db.query<{ priority: number }>("select priority from jobs where id = $1", [id]);
  expect(r.priority).toBe(42);
});

test("a job whose error and payload contain HTML shows it as text", async ({ page }) => {
  const evil = "<img src=x onerror=alert(1)>";
  const id = await seedDeadJob(db, {
    kind: unique("xss"),
    queue: unique("q_xss"),
    error: `TemplateError: ${evil}\n    at render (${evil}:1:1)`,
    payload: { html: evil, nested: { note: `</pre>${evil}` } },
  });
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const detail = new JobDetailPage(page);
  await detail.goto(id);
  await expect(detail.lastError).toContainText(`TemplateError: ${evil}`);
  await expect(detail.payload).toContainText(`"html": "${evil}"`);
  await expect(detail.payload).toContainText(`</pre>${evil}`);
  await expect(page.getByTestId("attempt").first()).toContainText(`TemplateError: ${evil}`);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test("an unknown or malformed job id shows the not-found page, never an error", async ({ page }) => {
  for (const id of ["987654321", "abc", "-1", "0", "1.5", "99999999999999999999", "1%20or%201=1"]) {
    const res = await page.goto(`/jobs/${id}`);
    // No loading boundary sits above /jobs/[id], so notFound() still sets the status.
    expect(res?.status(), id).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "Job not found" }), id).toBeVisible();
    await expect(page.locator('meta[name="robots"][content="noindex"]').first(), id).toBeAttached();
  }
  await page.screenshot({ path: "e2e/artifacts/job-detail-404.png", fullPage: true });
});

test("the job detail page passes axe, in light and dark, with the confirm dialog open", async ({ page }) => {
  const id = await seedDeadJob(db, { kind: unique("axe"), queue: unique("q_axe"), payload: { user: 42, items: [1, 2, 3] } });
  const detail = new JobDetailPage(page);
  await detail.goto(id);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: "e2e/artifacts/job-detail.png", fullPage: true });

  await detail.action("↻ Retry").click();
  await expect(detail.dialog).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: "e2e/artifacts/job-detail-confirm.png" });
  await page.keyboard.press("Escape");
  await expect(detail.dialog).toBeHidden();

  await page.emulateMedia({ colorScheme: "dark" });
  await detail.goto(id);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: "e2e/artifacts/job-detail-dark.png", fullPage: true });
});
