// A Celery source in the browser, with a real Celery worker on a real Redis (the `tasks` source
// of e2e/support/auth.ts): the tasks list and the workers page as Flower's operators know them,
// with the bridge's banner; a running task terminated from its page — the confirmation says what
// will happen, the worker reports the task REVOKED (terminated), the audit row names the source
// and the task, and the page's audit trail shows the reason. axe on each page and dialog.
// Every task and worker row comes from the app server's own Celery bridge listening to this
// Redis; only the banner's gap is seeded.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import type { Database } from "../db/client";
import { type CeleryWorker, sendTasks, startCeleryWorker } from "../tests/helpers/celery";
import { type EventWatch, watchCeleryEvents } from "../tests/celery/event-watch";
import { expectNoSeriousA11yViolations, unique, waitUntil } from "./fixtures/operator-fixtures";
import { E2E_CELERY_BROKER, E2E_CELERY_REDIS_PORT } from "./support/auth";
import { openE2eDatabase } from "./support/database";

const S = "tasks";
let db: Database;
let redis: ChildProcess;
let redisDir: string;
let worker: CeleryWorker;
let watch: EventWatch;

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = net.connect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  });

/** Waits for the app server's bridge to record the task in `state`. */
async function recorded(id: string, state: string) {
  await waitUntil(`the bridge to record ${id} as ${state}`, async () => {
    const [row] = await db.query<{ state: string }>("select state from celery_tasks where source = $1 and task_id = $2", [S, id]);
    return row?.state === state;
  });
}

test.beforeAll(async () => {
  db = await openE2eDatabase();
  for (const table of ["celery_tasks", "celery_task_events", "celery_workers", "celery_event_gaps"]) await db.query(`delete from ${table} where source = $1`, [S]);
  redisDir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-e2e-redis-"));
  redis = spawn("redis-server", ["--port", String(E2E_CELERY_REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", redisDir], { stdio: "ignore" });
  await waitUntil("the e2e Redis", () => portOpen(E2E_CELERY_REDIS_PORT));
  watch = await watchCeleryEvents(E2E_CELERY_BROKER);
  worker = await startCeleryWorker({ broker: E2E_CELERY_BROKER, name: unique("celery"), pool: "prefork", concurrency: 2 });
  // The bridge (reconnecting to this Redis by itself) records the worker from its events.
  await waitUntil("the bridge to record the worker", async () => (await db.query("select 1 from celery_workers where source = $1 and hostname = $2", [S, worker.hostname])).length === 1);
});

test.afterAll(async () => {
  await watch?.close();
  await worker?.stop();
  redis?.kill("SIGKILL");
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
  await db?.close();
});

test("the Celery tasks and workers pages: Celery's states beside Jobdeck's, workers ONLINE with their remote control, the bridge's gap as a banner", async ({ page }) => {
  const [ok, bad] = sendTasks(E2E_CELERY_BROKER, [{ name: "fixture.add", args: [2, 3] }, { name: "fixture.fail", args: ["card declined"] }]);
  await recorded(ok, "SUCCESS");
  await recorded(bad, "FAILURE");
  await db.query("insert into celery_event_gaps (source, from_at, until_at, reason) values ($1, now() - interval '20 minutes', now() - interval '19 minutes', 'the bridge lost the broker')", [S]);

  await page.goto(`/jobs?source=${S}`);
  await expect(page.getByRole("heading", { level: 1, name: /Jobs · tasks \(celery\)/ })).toBeVisible();
  await expect(page.getByTestId("source-notice-warn").first()).toContainText("No events between");
  const failed = page.locator(`[data-testid="job-row"][data-job-id="${bad}"]`);
  await expect(failed.locator('[data-col="state"]')).toContainText("dead");
  await expect(failed.getByTestId("native-state")).toHaveText("FAILURE");
  await expect(page.locator(`[data-testid="job-row"][data-job-id="${ok}"]`).getByTestId("native-state")).toHaveText("SUCCESS");
  await expectNoSeriousA11yViolations(page);

  await page.goto(`/workers?source=${S}`);
  const row = page.locator(`[data-testid="worker-row"][data-worker-id="${worker.hostname}"]`);
  await expect(row).toContainText("online");
  for (const name of ["Rate limit", "Grow pool", "Shrink pool", "Shut down"]) await expect(row.getByRole("button", { name: new RegExp(`^${name}`) })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await row.getByRole("button", { name: /^Rate limit/ }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Task name").fill("fixture.add");
  await dialog.getByLabel("Rate", { exact: true }).fill("10/m");
  await expectNoSeriousA11yViolations(page);
  await dialog.getByRole("button", { name: "Set rate limit" }).click();
  await expect(page.getByTestId("toast").first()).toContainText("new rate limit set successfully");
});

test("terminate a running task from its page: the confirmation says what happens, the worker reports it REVOKED, the audit row names it", async ({ page }) => {
  const [id] = sendTasks(E2E_CELERY_BROKER, [{ name: "fixture.sleep", args: [120] }]);
  await watch.waitFor("the task to start", (e) => e.type === "task-started" && e.uuid === id);
  await recorded(id, "STARTED");

  await page.goto(`/jobs/${id}?source=${S}`);
  await expect(page.getByRole("heading", { level: 1, name: `Job ${id.slice(0, 8)}…` })).toBeVisible();
  await expect(page.getByTestId("field-native-state")).toHaveText("celery: STARTED");
  await expectNoSeriousA11yViolations(page);

  await page.getByRole("group", { name: "Celery operations" }).getByRole("button", { name: "Terminate" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`gets SIGTERM; the worker reports it REVOKED`);
  await expect(dialog).toContainText(worker.hostname);
  await dialog.getByLabel("Signal").selectOption("SIGTERM");
  await dialog.getByRole("textbox", { name: /reason/i }).fill("stuck on a dead socket");
  await expectNoSeriousA11yViolations(page);
  await dialog.getByRole("button", { name: "Send SIGTERM" }).click();
  await expect(page.getByTestId("toast").first()).toContainText(`Sent SIGTERM to task ${id.slice(0, 8)}…`);

  expect(await watch.waitFor("task-revoked", (e) => e.type === "task-revoked" && e.uuid === id)).toMatchObject({ terminated: true, signum: 15 });
  const [audit] = await db.query<{ action: string; source: string; target_keys: string[]; reason: string; outcome: string; actor: string; affected: number }>(
    "select action, source, target_keys, reason, outcome, actor, affected from audit_events where source = $1 and action = 'celery.terminate' order by id desc limit 1",
    [S],
  );
  expect(audit).toMatchObject({ action: "celery.terminate", source: S, target_keys: [id], reason: "stuck on a dead socket", outcome: "ok", actor: "admin@example.com", affected: 1 });
  await page.reload();
  await expect(page.getByTestId("job-audit")).toContainText("stuck on a dead socket");
});
