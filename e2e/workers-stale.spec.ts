// Workers and stale locks with real worker processes: a worker killed with SIGKILL while it
// holds a job leaves a stale lock that "Recover selected" returns to pending (audited); an
// offline worker still holding jobs is flagged on /workers, and "Recover its jobs" frees those
// whose lease expired and force-releases the live ones only after a second, warned confirmation
// (audited as forced); empty states; axe on both pages. Each test uses kinds and queues of its own, and no other
// worker runs while a stale lease must survive until the operator recovers it.
import { expect, test } from "@playwright/test";
import type { Database } from "../db/client";
import { enqueue } from "../lib/queue";
import {
  expectNoSeriousA11yViolations,
  jobState,
  startWorker,
  stopWorker,
  stopWorkersAfterEach,
  unique,
  waitUntil,
  type WorkerProcess,
} from "./fixtures/operator-fixtures";
import { StalePage } from "./pages/stale-page";
import { WorkersPage } from "./pages/workers-page";
import { freshE2eDatabasePerTest } from "./support/database";

let db: Database;
const workers: WorkerProcess[] = [];

freshE2eDatabasePerTest((d) => (db = d));
stopWorkersAfterEach(workers);

async function runningOn(id: number, workerId: string) {
  return waitUntil(`job ${id} running on ${workerId}`, async () => {
    const [r] = await db.query<{ state: string; locked_by: string | null }>("select state, locked_by from jobs where id = $1", [id]);
    return r?.state === "running" && r.locked_by === workerId;
  });
}

async function killHard(w: WorkerProcess) {
  process.kill(w.pid, "SIGKILL");
  const { signal } = await w.exited;
  expect(signal).toBe("SIGKILL");
}

test("a job held by a worker process killed with SIGKILL is recovered from /stale with Recover selected", async ({ page }) => {
  const kind = unique("crash");
  const queue = unique("q_crash");
  const id = await enqueue(db, { kind, queue, payload: { image: "cat.png" } });
  // The only worker in the database: nothing else sweeps its expired lease before the operator.
  const w = await startWorker({ queue, kinds: { [kind]: "block" }, env: { JOBDECK_LEASE_SECONDS: "2", JOBDECK_HEARTBEAT_SECONDS: "1" } });
  workers.push(w);
  await runningOn(id, w.id);
  await killHard(w);
  await waitUntil("the lease to expire", async () => {
    const [r] = await db.query<{ expired: boolean }>("select locked_until < now() as expired from jobs where id = $1", [id]);
    return r?.expired;
  });

  const stale = new StalePage(page);
  await stale.goto();
  await expect(stale.rows).toHaveCount(1);
  const row = stale.row(id);
  await expect(row).toContainText(kind);
  await expect(row).toContainText(w.id);
  await expect(row).toContainText("lease expired");
  await expect(stale.recoverSelected).toBeDisabled();
  await page.screenshot({ path: "e2e/artifacts/stale.png", fullPage: true });
  await expectNoSeriousA11yViolations(page);

  await stale.select(id);
  await expect(stale.recoverSelected).toHaveText("⟲ Recover selected (1)");
  await stale.recoverSelected.click();
  await expect(stale.dialog).toContainText("Recover 1 stale job?");
  await stale.dialog.getByLabel("Reason (optional)").fill("worker host rebooted");
  await stale.dialog.getByTestId("confirm-dialog-confirm").click();
  await expect(stale.toasts.filter({ hasText: "Recovered 1 job: 1 pending" })).toBeVisible();
  await expect(stale.empty).toHaveText(/No stale locks — every running job's worker is heartbeating/);

  expect(await jobState(db, id)).toBe("pending");
  const audits = await db.query<{ actor: string; reason: string; affected: number; target_ids: number[] }>(
    "select actor, reason, affected, target_ids from audit_events where action = 'jobs.recover_stale'",
  );
  expect(audits).toEqual([expect.objectContaining({ reason: "worker host rebooted", affected: 1, target_ids: [id] })]);
  const [attempt] = await db.query<{ outcome: string; worker_id: string }>("select outcome, worker_id from job_attempts where job_id = $1", [id]);
  expect(attempt).toEqual({ outcome: "lost", worker_id: w.id });
});

test("Recover all stale recovers every expired lease and says how many", async ({ page }) => {
  const kind = unique("crash_all");
  const queue = unique("q_crash_all");
  const ids = [await enqueue(db, { kind, queue }), await enqueue(db, { kind, queue })];
  const w = await startWorker({ queue, kinds: { [kind]: "block" }, env: { JOBDECK_LEASE_SECONDS: "2", JOBDECK_HEARTBEAT_SECONDS: "1" } });
  workers.push(w);
  for (const id of ids) await runningOn(id, w.id);
  await killHard(w);
  await waitUntil("both leases to expire", async () => {
    const [r] = await db.query<{ n: number }>("select count(*)::int as n from jobs where id = any($1) and locked_until < now()", [ids]);
    return r.n === 2;
  });
  const stale = new StalePage(page);
  await stale.goto();
  await expect(stale.rows).toHaveCount(2);
  await stale.recoverAll.click();
  await expect(stale.dialog).toContainText("Recover 2 stale jobs");
  await stale.dialog.getByTestId("confirm-dialog-confirm").click();
  await expect(stale.toasts.filter({ hasText: "Recovered 2 jobs: 2 pending" })).toBeVisible();
  await expect(stale.empty).toBeVisible();
  for (const id of ids) expect(await jobState(db, id)).toBe("pending");
});

test("/workers flags an offline worker holding jobs; Recover its jobs takes the expired leases only, and force-releases live ones after a warning", async ({ page }) => {
  test.setTimeout(240_000);
  const idleKind = unique("idle");
  const online = await startWorker({ queue: unique("q_idle"), kinds: { [idleKind]: "complete" } });
  workers.push(online);

  const kind = unique("held");
  const queue = unique("q_held");
  const ids = [await enqueue(db, { kind, queue, payload: { report: "monthly" } }), await enqueue(db, { kind, queue, payload: { report: "weekly" } })];
  // Long leases: the online worker's sweep must not recover them; only the operator does.
  const gone = await startWorker({ queue, kinds: { [kind]: "block" }, env: { JOBDECK_LEASE_SECONDS: "600", JOBDECK_HEARTBEAT_SECONDS: "1" } });
  workers.push(gone);
  for (const id of ids) await runningOn(id, gone.id);
  await killHard(gone);

  const page1 = new WorkersPage(page);
  await page1.goto();
  await expect(page1.row(online.id)).toHaveAttribute("data-status", "online");
  await expect(page1.row(online.id)).toContainText(online.id);
  await expect(page1.row(online.id)).toContainText(`pid ${online.pid}`);
  await expect(page1.row(online.id)).toContainText("idle");

  // JOBDECK_WORKER_OFFLINE_AFTER_SECONDS defaults to 30: wait for the killed worker to go offline.
  await waitUntil("the killed worker to be offline", async () => {
    const [r] = await db.query<{ silent: boolean }>("select last_heartbeat_at < now() - interval '31 seconds' as silent from workers where id = $1", [gone.id]);
    return r?.silent;
  }, 60_000);
  // The page refreshes itself.
  const flagged = page1.row(gone.id);
  await expect(flagged).toHaveAttribute("data-status", "offline", { timeout: 15_000 });
  await expect(flagged.getByTestId("worker-flag")).toContainText("holds 2 jobs");
  for (const id of ids) await expect(flagged).toContainText(`#${id}`);
  await expect(page1.row(online.id)).toHaveAttribute("data-status", "online");
  await page.screenshot({ path: "e2e/artifacts/workers.png", fullPage: true });
  await expectNoSeriousA11yViolations(page);

  // No other worker may sweep an expired lease now: the operator recovers it.
  await stopWorker(workers.splice(workers.indexOf(online), 1)[0]);
  await db.query("update jobs set locked_until = now() - interval '1 minute' where id = $1", [ids[0]]);

  await page1.openRecover(gone.id, 2);
  await expect(page1.recoverPreview).toContainText("holds 2 running jobs");
  await expect(page1.recoverPreview).toContainText("Recover 1 job whose lease expired");
  await expect(page1.stillLeased).toContainText(/1 job still leased: the soonest lease expires in \d+ min/);
  await page.screenshot({ path: "e2e/artifacts/workers-recover-dialog.png" });
  await expectNoSeriousA11yViolations(page);
  await expect(page1.confirmButton).toHaveText("Recover 1 job");
  await page1.confirmButton.click();
  await expect(page1.toasts.filter({ hasText: "Recovered 1 job: 1 pending" })).toBeVisible();
  await expect(page1.toasts.filter({ hasText: "1 job still leased" })).toBeVisible();
  await expect(flagged.getByTestId("worker-flag")).toContainText("holds 1 job");
  expect([await jobState(db, ids[0]), await jobState(db, ids[1])]).toEqual(["pending", "running"]);

  // Only the live lease is left: the plain recovery has nothing to do; forcing takes a second, warned step.
  await page1.openRecover(gone.id, 1);
  await expect(page1.confirmButton).toHaveText("No lease has expired yet");
  await expect(page1.confirmButton).toBeDisabled();
  await page1.dialog.getByRole("button", { name: "Force-release the 1 job still leased…" }).click();
  await expect(page1.dialog).toHaveAccessibleName("Force-release live leases");
  await expect(page1.forceWarning).toContainText("The worker may still be running these; they could run twice.");
  await page.screenshot({ path: "e2e/artifacts/workers-force-dialog.png" });
  await expectNoSeriousA11yViolations(page);
  await page1.dialog.getByLabel("Reason (optional)").fill("host powered off (e2e)");
  await expect(page1.confirmButton).toHaveText("Force-release 1 job");
  await page1.confirmButton.click();
  await expect(page1.toasts.filter({ hasText: "Recovered 1 job: 1 pending (forced)" })).toBeVisible();
  await expect(flagged.getByTestId("worker-flag")).toHaveCount(0);
  expect(await jobState(db, ids[1])).toBe("pending");
  const audits = await db.query<{ filter: unknown; target_ids: number[]; reason: string | null; details: { forced?: boolean } }>(
    "select filter, target_ids, reason, details from audit_events where action = 'jobs.recover_stale' order by id",
  );
  expect(audits).toEqual([
    expect.objectContaining({ filter: { worker: gone.id }, target_ids: [ids[0]], reason: null }),
    expect.objectContaining({ filter: { worker: gone.id, force: true }, target_ids: [ids[1]], reason: "host powered off (e2e)", details: expect.objectContaining({ forced: true, unexpired_leases_released: 1 }) }),
  ]);
  expect(audits[0].details.forced).toBeUndefined();

  await page.emulateMedia({ colorScheme: "dark" });
  await page1.goto();
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: "e2e/artifacts/workers-dark.png", fullPage: true });
});

test("/workers and /stale show their empty states, and the live refresh can be paused", async ({ page }) => {
  const workersPage = new WorkersPage(page);
  await workersPage.goto();
  await expect(page.getByText("No worker has registered yet.")).toBeVisible();
  await expect(workersPage.pauseToggle).toHaveAttribute("aria-pressed", "false");
  await workersPage.pauseToggle.click();
  await expect(workersPage.pauseToggle).toHaveAttribute("aria-pressed", "true");
  await expectNoSeriousA11yViolations(page);

  const stale = new StalePage(page);
  await stale.goto();
  await expect(stale.empty).toBeVisible();
  await page.emulateMedia({ colorScheme: "dark" });
  await stale.goto();
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: "e2e/artifacts/stale-empty-dark.png", fullPage: true });
});
