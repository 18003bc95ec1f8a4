// Sources in the browser, with the real libraries producing and consuming the jobs: the
// all-sources overview; switching to the pg-boss source and retrying a dead pg-boss job from its
// page, after which pg-boss's own worker completes it (audited with the source and the key);
// what graphile-worker cannot do is not offered and says why; a read-only source offers no
// action at all. axe on each page. The app under test is configured with these sources
// (e2e/support/auth.ts E2E_SOURCES); their schemas are installed here by the libraries themselves.
import { expect, test } from "@playwright/test";
import { quickAddJob, run, runMigrations, type Runner } from "graphile-worker";
import { PgBoss } from "pg-boss-v12";
import type { Database } from "../db/client";
import { expectNoSeriousA11yViolations, unique, waitUntil } from "./fixtures/operator-fixtures";
import { JobDetailPage } from "./pages/job-detail-page";
import { JobsPage } from "./pages/jobs-page";
import { E2E_DATABASE_URL, freshE2eDatabasePerTest } from "./support/database";

let db: Database;
freshE2eDatabasePerTest((d) => (db = d));

let boss: PgBoss;
/** The pg-boss worker's switch: while broken, jobs whose data says `fail` throw. */
const broken = { on: true };
let graphile: Runner | null = null;

test.beforeAll(async () => {
  boss = new PgBoss({ connectionString: E2E_DATABASE_URL, supervise: true, schedule: false, max: 3 });
  boss.on("error", (e) => console.error(`pg-boss: ${(e as Error).message}`));
  await boss.start();
  await runMigrations({ connectionString: E2E_DATABASE_URL });
});

test.afterAll(async () => {
  await graphile?.stop().catch(() => {});
  await boss?.stop({ graceful: false }).catch(() => {});
});

async function pgBossState(id: string): Promise<string | undefined> {
  const [r] = await db.query<{ state: string }>("select state from pgboss.job where id = $1", [id]);
  return r?.state;
}

/** A pg-boss job that its own worker fails for good (retryLimit 0: pg-boss state `failed`). */
async function deadPgBossJob(queue: string): Promise<string> {
  await boss.createQueue(queue, { retryLimit: 0 });
  await boss.work(queue, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
    if (broken.on && (job.data as { fail?: boolean }).fail) throw new Error("card declined: processor timeout");
    return { charged: true };
  });
  const id = (await boss.send(queue, { invoice: 42, fail: true, token: "tok_secret" }))!;
  await waitUntil(`pg-boss job ${id} to fail`, async () => (await pgBossState(id)) === "failed");
  return id;
}

test("the all-sources overview shows every source, reachable, with its counts", async ({ page }) => {
  await deadPgBossJob(unique("overview_q"));
  await page.goto("/sources");
  await expect(page.getByRole("heading", { level: 1, name: "All sources" })).toBeVisible();
  for (const name of ["jobdeck", "billing", "mail", "billing-ro"]) {
    await expect(page.getByTestId(`source-row-${name}`)).toContainText("reachable");
  }
  const billing = page.getByTestId("source-row-billing");
  await expect(billing).toContainText("pg-boss");
  await expect(billing).toContainText("schema 46");
  await expect(billing.getByRole("link", { name: "1", exact: true })).toHaveAttribute("href", "/jobs?state=dead&source=billing");
  await expect(page.getByTestId("source-row-mail")).toContainText("not kept");
  await expectNoSeriousA11yViolations(page);
});

test("switch to the pg-boss source, retry a dead job from its page, and pg-boss's own worker completes it", async ({ page }) => {
  const queue = unique("invoices");
  broken.on = true;
  const id = await deadPgBossJob(queue);
  const key = `${queue}:${id}`;

  const jobs = new JobsPage(page);
  await jobs.goto();
  await page.getByTestId("source-switcher").selectOption("billing");
  await expect(page).toHaveURL(/\/jobs\?source=billing$/);
  await jobs.goto(`source=billing&queue=${queue}`);
  const row = page.locator(`[data-testid="job-row"][data-job-id="${key}"]`);
  await expect(row.locator('[data-col="state"]')).toContainText("dead");
  await expect(row.getByTestId("native-state")).toHaveText("failed");
  await expectNoSeriousA11yViolations(page);

  await row.getByTestId("job-link").click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${encodeURIComponent(key)}\\?source=billing$`));
  const detail = new JobDetailPage(page);
  await expect(page.getByTestId("field-native-state")).toHaveText("pg-boss: failed");
  await expect(page.getByTestId("payload")).toContainText('"token": "tok_secret"'); // the admin sees secrets
  await expect(page.getByText("pg-boss keeps no per-attempt history")).toBeVisible();
  await expectNoSeriousA11yViolations(page);

  broken.on = false; // the cause is fixed: the retried job will succeed
  await page.getByRole("button", { name: "Retry" }).click();
  await detail.dialog.getByRole("textbox", { name: /reason/i }).fill("processor back");
  await detail.dialog.getByRole("button", { name: "Retry job" }).click();
  await expect(detail.toasts.first()).toContainText(`Retried job ${id.slice(0, 8)}…`);
  await waitUntil(`pg-boss to complete job ${id}`, async () => (await pgBossState(id)) === "completed", 30_000);
  await page.reload();
  await expect(page.getByTestId("field-state")).toContainText("completed");

  const [audit] = await db.query<{ action: string; source: string; target_keys: string[]; reason: string; outcome: string; actor: string }>(
    "select action, source, target_keys, reason, outcome, actor from audit_events where source = 'billing' order by id desc limit 1",
  );
  expect(audit).toMatchObject({ action: "jobs.retry", source: "billing", target_keys: [key], reason: "processor back", outcome: "ok", actor: "admin@example.com" });
  await expect(page.getByTestId("job-audit")).toContainText("processor back");
});

test("graphile-worker: what it does not keep is said where an operator looks, and only its own actions are offered", async ({ page }) => {
  const task = unique("send_email");
  graphile = await run({
    connectionString: E2E_DATABASE_URL,
    concurrency: 1,
    pollInterval: 200,
    noHandleSignals: true,
    taskList: { [task]: async () => { throw new Error("SMTP 550 mailbox unavailable"); } },
  });
  const job = await quickAddJob({ connectionString: E2E_DATABASE_URL }, task, { to: "a@example.com" }, { maxAttempts: 1 });
  await waitUntil("graphile-worker to fail the job for good", async () => {
    const [r] = await db.query<{ attempts: number }>("select attempts from graphile_worker.jobs where id = $1", [job.id]);
    return r?.attempts === 1;
  });
  await graphile.stop();
  graphile = null;

  await page.goto("/jobs?source=mail");
  await expect(page.getByTestId("history-capability")).toContainText("graphile-worker deletes completed jobs: there is no history");
  await expect(page.getByTestId("filters-unsupported")).toContainText("Campaign id");
  await expectNoSeriousA11yViolations(page);

  await page.goto(`/jobs/${job.id}?source=mail`);
  await expect(page.getByTestId("field-native-state")).toHaveText("graphile-worker: permanently failed");
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel" })).toHaveCount(0);
  await expect(page.getByText("graphile-worker keeps no attempt history")).toBeVisible();
  await expectNoSeriousA11yViolations(page);

  await page.goto("/workers?source=mail");
  await expect(page.getByTestId("workers-capability")).toContainText("no worker heartbeats");
  await page.goto("/campaigns?source=mail");
  await expect(page.getByTestId("campaigns-capability")).toContainText("campaigns are Jobdeck's own");
  await expectNoSeriousA11yViolations(page);
});

test("a read-only source offers no action, and says why on the list and the job page", async ({ page }) => {
  const queue = unique("ro_q");
  broken.on = true;
  const id = await deadPgBossJob(queue);
  await page.goto(`/jobs?source=billing-ro&queue=${queue}`);
  await expect(page.getByTestId("job-row")).toHaveCount(1);
  await expect(page.getByRole("checkbox", { name: /Select job/ })).toHaveCount(0);
  await expect(page.getByTestId("read-only-note")).toContainText("configured read-only");
  await page.getByTestId("job-link").click();
  await expect(page.getByRole("button", { name: "Retry" })).toHaveCount(0);
  await expect(page.getByTestId("actions-unsupported")).toContainText("configured read-only");
  expect(await pgBossState(id)).toBe("failed");
});
