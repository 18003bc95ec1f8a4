// Campaigns: an interrupted campaign (batch 2 dies in a REAL worker process after enqueueing half
// its items) is resumed from its detail page and continues from next_start_position with the same
// id and no duplicate item jobs; gaps left by a batch are repaired from the UI; the refusal while
// a batch is open is shown; a cancel over the bulk threshold needs an admin, and the admin's cancel
// is listed on the children's job pages; the list, a 404, axe on both pages, screenshots in
// e2e/artifacts/.
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import type { Database } from "../db/client";
import { getCampaignAggregate } from "../lib/queries/campaigns";
import { createCampaign, enqueueMany } from "../lib/queue";
import { spawnWorker } from "../tests/fixtures/queue-helpers";
import { expectNoSeriousA11yViolations, stopWorkersAfterEach, unique, waitUntil, type WorkerProcess } from "./fixtures/operator-fixtures";
import { CampaignDetailPage } from "./pages/campaign-detail-page";
import { CampaignsPage } from "./pages/campaigns-page";
import { JobDetailPage } from "./pages/job-detail-page";
import { BULK_CONFIRM_THRESHOLD, storageStatePath } from "./support/auth";
import { E2E_DATABASE_URL, freshE2eDatabasePerTest } from "./support/database";

const HANDLERS = path.resolve(import.meta.dirname, "fixtures", "campaign-handlers.mjs");
const MARKERS = path.join(os.tmpdir(), `jobdeck-e2e-campaign-markers-${process.pid}`);

let db: Database;
const workers: WorkerProcess[] = [];

freshE2eDatabasePerTest((d) => (db = d));
stopWorkersAfterEach(workers);

async function startCampaignWorker(kind: string, queue: string): Promise<WorkerProcess> {
  const w = await spawnWorker({ databaseUrl: E2E_DATABASE_URL, handlers: HANDLERS, queues: [queue], concurrency: 4, env: { E2E_CAMPAIGN_KIND: kind } });
  workers.push(w);
  return w;
}

async function seedCampaign(opts: { name: string; total: number; batchSize: number; params: Record<string, unknown> }) {
  const kind = unique("camp");
  const queue = unique("q_camp");
  const { campaignId, batchJobId } = await db.tx((q) =>
    createCampaign(q, {
      name: opts.name,
      kind,
      queue,
      batchSize: opts.batchSize,
      totalItems: opts.total,
      params: { total: opts.total, marker_dir: MARKERS, ...opts.params },
      createdBy: "e2e@example.com",
    }),
  );
  return { campaignId, batchJobId, kind, queue };
}

const childPositions = (campaignId: number) =>
  db.query<{ position: number; n: number }>(
    "select position, count(*)::int as n from jobs where campaign_id = $1 and parent_id is not null and state <> 'cancelled' group by position order by position",
    [campaignId],
  );

test("an interrupted campaign resumes from next_start_position with the same id and no duplicate item jobs", async ({ page }) => {
  const { campaignId, batchJobId, kind, queue } = await seedCampaign({ name: "catalog-2026 ingest", total: 30, batchSize: 10, params: { fail_once_at: 10 } });
  const detail = new CampaignDetailPage(page);

  // Before any worker runs, batch 1 is pending: Resume is refused, and the dialog says why.
  await detail.goto(campaignId);
  await expect(page.getByTestId("resume-blocked-note")).toContainText(`batch job #${batchJobId} is still pending`);
  await detail.open(/Resume from next_start_position/);
  await expect(detail.refusal).toContainText(`Batch job #${batchJobId} is still pending`);
  await expect(detail.confirmButton).toBeDisabled();
  await page.screenshot({ path: "e2e/artifacts/campaign-resume-refused.png", fullPage: true });
  await detail.dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(detail.dialog).toBeHidden();

  // A real worker process: batch 1 (0–9) completes, batch 2 (10–19) enqueues 10–14 and dies.
  await startCampaignWorker(kind, queue);
  await waitUntil("batch 2 to die and items 0–14 to complete", async () => {
    const a = await getCampaignAggregate(db, campaignId);
    return a && a.batches.by_state.dead === 1 && a.children.by_state.completed === 15 && a.children.total === 15 ? a : null;
  });
  const interrupted = (await getCampaignAggregate(db, campaignId))!;
  expect(interrupted.next_start_position).toBe(10);
  expect(interrupted.campaign.state).toBe("running");

  await page.reload();
  await expect(detail.stat("next-start")).toContainText("10");
  await expect(detail.batches.filter({ has: page.getByText("ECONNRESET while reading catalog rows 11-20") })).toHaveCount(1);
  await expect(page.getByTestId("resume-blocked-note")).toHaveCount(0);
  await expect(page.getByTestId("campaign-stalled")).toContainText("is dead");
  await page.screenshot({ path: "e2e/artifacts/campaign-interrupted.png", fullPage: true });
  await expectNoSeriousA11yViolations(page);

  await detail.open(/Resume from next_start_position/);
  await expect(detail.preview).toContainText("starting at position 10");
  await expect(detail.confirmButton).toBeEnabled();
  await page.screenshot({ path: "e2e/artifacts/campaign-resume-dialog.png" });
  await detail.confirm("source connection restored (e2e)");
  await expect(detail.toasts.filter({ hasText: `Resumed campaign #${campaignId} from position 10` })).toBeVisible();

  // It continues from 10 under the same id and finishes: every position exactly once.
  const done = await waitUntil(
    "the resumed campaign to complete",
    async () => {
      const a = await getCampaignAggregate(db, campaignId);
      return a && a.campaign.state === "completed" && a.children.by_state.completed === 30 ? a : null;
    },
    30_000,
  );
  expect(done.campaign.id).toBe(campaignId);
  expect(done.next_start_position).toBe(30);
  expect(done.duplicates.count).toBe(0);
  expect(done.gaps.count).toBe(0);
  expect(done.children.total).toBe(30);
  const positions = await childPositions(campaignId);
  expect(positions.map((p) => p.position)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  expect(positions.every((p) => p.n === 1)).toBe(true);
  const batches = await db.query<{ position: number; state: string }>(
    "select position, state from jobs where campaign_id = $1 and parent_id is null order by id",
    [campaignId],
  );
  expect(batches).toEqual([
    { position: 0, state: "completed" },
    { position: 10, state: "dead" },
    { position: 10, state: "completed" },
    { position: 20, state: "completed" },
  ]);
  const [audit] = await db.query<{ action: string; reason: string; outcome: string; details: { start_position: number } }>(
    "select action, reason, outcome, details from audit_events where action = 'campaign.resume' order by id desc limit 1",
  );
  expect(audit).toMatchObject({ reason: "source connection restored (e2e)", outcome: "ok", details: { start_position: 10 } });

  await page.reload();
  await expect(detail.heading).toContainText("completed");
  await expect(detail.stat("next-start")).toContainText("30");
  await expect(detail.stat("duplicates")).toContainText("0");
  await expect(page.getByTestId("gaps-none")).toBeVisible();
  await expect(detail.stat("progress")).toContainText("30 / 30 (100%)");
  await page.screenshot({ path: "e2e/artifacts/campaign-detail.png", fullPage: true });

  const list = new CampaignsPage(page);
  await list.goto();
  await expect(list.row(campaignId)).toContainText("catalog-2026 ingest");
  await expect(list.row(campaignId)).toContainText("30 / 30 (100%)");
  await expect(list.row(campaignId).getByTestId("campaign-next-start")).toHaveText("30");
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: "e2e/artifacts/campaigns.png", fullPage: true });
});

test("repair gaps from the UI enqueues only the missing positions, and the gaps close", async ({ page }) => {
  const { campaignId, kind, queue } = await seedCampaign({ name: "bucket listing repair", total: 20, batchSize: 10, params: { skip_once: [3, 4, 12] } });
  await startCampaignWorker(kind, queue);
  await waitUntil("the first run to finish with gaps", async () => {
    const a = await getCampaignAggregate(db, campaignId);
    return a && a.campaign.state === "completed" && a.children.by_state.completed === 17 ? a : null;
  });

  const detail = new CampaignDetailPage(page);
  await detail.goto(campaignId);
  await expect(detail.gapRanges).toContainText("3–4");
  await expect(detail.gapRanges).toContainText("12");
  await expect(detail.stat("gaps")).toContainText("3");
  await detail.open(/Repair gaps/);
  await expect(detail.preview).toContainText("3 missing positions");
  await expect(detail.preview).toContainText("3–4, 12");
  await expect(detail.preview).toContainText("1 repair batch will");
  await page.screenshot({ path: "e2e/artifacts/campaign-repair-dialog.png" });
  await detail.confirm("listing was paginated wrongly (e2e)");
  await expect(detail.toasts.filter({ hasText: "Repairing 3 missing positions" })).toBeVisible();

  const repaired = await waitUntil("the repaired positions to complete", async () => {
    const a = await getCampaignAggregate(db, campaignId);
    return a && a.children.by_state.completed === 20 && a.batches.by_state.completed === 3 ? a : null;
  });
  expect(repaired.gaps.count).toBe(0);
  expect(repaired.duplicates.count).toBe(0);
  expect(repaired.next_start_position).toBe(20);
  const positions = await childPositions(campaignId);
  expect(positions.map((p) => p.position)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(positions.every((p) => p.n === 1)).toBe(true);

  await page.reload();
  await expect(page.getByTestId("gaps-none")).toBeVisible();
  // One repair batch covers 3–12 (a batch wide) and filled only 3, 4 and 12.
  await expect(detail.batches.filter({ hasText: "repair" })).toHaveCount(1);
  await expect(detail.batches.filter({ hasText: "repair" })).toContainText("3–12");
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: "e2e/artifacts/campaign-repaired.png", fullPage: true });
});

test(`a campaign cancel over the bulk threshold (${BULK_CONFIRM_THRESHOLD}) needs an admin; the admin's cancel shows on each child's job page`, async ({ page, browser }) => {
  const { campaignId, batchJobId, kind, queue } = await seedCampaign({ name: "oversized cancel", total: 100, batchSize: 10, params: {} });
  // Six pending item jobs under the pending batch (no worker runs): a cancel changes 7 jobs.
  const children = await db.tx((q) =>
    enqueueMany(q, Array.from({ length: 6 }, (_, p) => ({ kind: `${kind}.item`, queue, campaignId, parentId: batchJobId, itemKey: `item-${p}`, position: p }))),
  );
  const pendingNow = async () => (await db.query<{ n: number }>("select count(*)::int as n from jobs where campaign_id = $1 and state = 'pending'", [campaignId]))[0].n;

  const operator = await browser.newContext({ storageState: storageStatePath("operator") });
  try {
    const asOperator = new CampaignDetailPage(await operator.newPage());
    await asOperator.goto(campaignId);
    await asOperator.open(/Cancel campaign/);
    await expect(asOperator.preview).toContainText("7 pending jobs (batches and items) will be cancelled");
    await expect(asOperator.needsAdmin).toHaveText(`This would change 7 jobs. More than ${BULK_CONFIRM_THRESHOLD} at once needs an admin — ask an admin to run it.`);
    await expect(asOperator.confirmButton).toHaveText("Needs an admin");
    await expect(asOperator.confirmButton).toBeDisabled();
    await asOperator.page.screenshot({ path: "e2e/artifacts/campaign-cancel-needs-admin.png" });
    await expectNoSeriousA11yViolations(asOperator.page);
    // Retry failed children has nothing to do here, and is not limited.
    await asOperator.dialog.getByRole("button", { name: "Cancel", exact: true }).click();
    await asOperator.open(/Retry failed children/);
    await expect(asOperator.needsAdmin).toHaveCount(0);
  } finally {
    await operator.close();
  }
  expect(await pendingNow()).toBe(7);

  // The admin (this page's user) may: no note, and the cancel runs.
  const detail = new CampaignDetailPage(page);
  await detail.goto(campaignId);
  await detail.open(/Cancel campaign/);
  await expect(detail.needsAdmin).toHaveCount(0);
  await expect(detail.confirmButton).toHaveText("Cancel campaign");
  await detail.confirm("wrong bucket (e2e)");
  await expect(detail.toasts.filter({ hasText: `Cancelled campaign #${campaignId}` })).toBeVisible();
  expect(await pendingNow()).toBe(0);

  // Each cancelled child names the cancel in its audit trail.
  const child = new JobDetailPage(page);
  for (const id of [children[0], children[5]]) {
    await child.goto(id);
    const row = page.getByTestId("job-audit").getByTestId("audit-row");
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId("audit-action")).toHaveText("campaign.cancel");
    await expect(row.getByTestId("audit-reason")).toHaveText("wrong bucket (e2e)");
  }
  await page.screenshot({ path: "e2e/artifacts/campaign-child-audit.png", fullPage: true });
});

test("unknown and malformed campaign ids are a 404; an empty list says how to start one", async ({ page }) => {
  for (const id of ["987654321", "abc", "0"]) {
    const res = await page.goto(`/campaigns/${id}`);
    expect(res?.status()).toBe(404);
    await expect(page.getByTestId("campaign-not-found")).toBeVisible();
  }
  const list = new CampaignsPage(page);
  await list.goto();
  await expect(list.empty).toContainText("No campaigns yet");
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: "e2e/artifacts/campaigns-empty.png", fullPage: true });
});
