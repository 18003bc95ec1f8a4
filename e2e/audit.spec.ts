// The audit trail in a real browser: the admin (signed in by the global setup) retries a dead
// job from its page, then /audit shows who, what and why (and the job's page lists the entry);
// the filtered CSV and NDJSON exports carry exactly those rows; every response carries the
// hardening headers; axe finds nothing serious on /audit. (Payload secrets: e2e/redaction.spec.ts.)
import { expect, test } from "@playwright/test";
import type { Database } from "../db/client";
import { recordAudit } from "../lib/audit/record";
import { expectNoSeriousA11yViolations, seedDeadJob, unique } from "./fixtures/operator-fixtures";
import { AuditPage } from "./pages/audit-page";
import { JobDetailPage } from "./pages/job-detail-page";
import { freshE2eDatabasePerTest } from "./support/database";

let db: Database;

freshE2eDatabasePerTest((d) => (db = d));

test("a retry from the job page is in /audit with actor, action and reason, on the job page, and in both exports", async ({ page }) => {
  // Some older history by other people, so filters have something to leave out.
  const other = await seedDeadJob(db, { kind: unique("other"), queue: unique("q_other") });
  await recordAudit(db, { actor: { name: "carol@example.com", roles: ["admin"] }, action: "jobs.cancel", targetIds: [other], affected: 1, reason: "superseded by v2", outcome: "ok" });
  await recordAudit(db, { actor: { name: "cli:ops@batch-7", roles: [] }, action: "jobs.retry", filter: { state: ["dead"], kind: "send_email" }, affected: 1200, skipped: 3, reason: "smtp fixed", outcome: "partial" });

  const id = await seedDeadJob(db, { kind: unique("audited"), queue: unique("q_audited") });
  const detail = new JobDetailPage(page);
  await detail.goto(id);
  await expect(page.getByTestId("job-audit-empty")).toBeVisible();
  await detail.action("↻ Retry").click();
  await detail.confirm("upstream fixed, audit e2e");
  await expect(detail.toasts.filter({ hasText: `Retried job #${id}` })).toBeVisible();
  await expect(detail.state).toContainText("pending");

  // The job page lists its own entry (and not carol's cancel of another job).
  await page.reload();
  const jobAudit = page.getByTestId("job-audit");
  await expect(jobAudit.getByTestId("audit-row")).toHaveCount(1);
  await expect(jobAudit.getByTestId("audit-actor")).toHaveText("admin@example.com");
  await expect(jobAudit.getByTestId("audit-action")).toHaveText("jobs.retry");
  await expect(jobAudit.getByTestId("audit-reason")).toHaveText("upstream fixed, audit e2e");
  await page.getByRole("heading", { name: "Audit trail" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: "e2e/artifacts/job-detail-audit.png" });

  const audit = new AuditPage(page);
  await audit.goto();
  await expect(audit.rows).toHaveCount(3);
  const newest = audit.rows.first();
  await expect(newest.getByTestId("audit-actor")).toHaveText("admin@example.com");
  await expect(newest).toContainText("admin");
  await expect(newest.getByTestId("audit-action")).toHaveText("jobs.retry");
  await expect(newest.getByTestId("audit-reason")).toHaveText("upstream fixed, audit e2e");
  await expect(newest.getByRole("link", { name: `#${id}` })).toHaveAttribute("href", `/jobs/${id}`);
  await expect(newest).toContainText("ok");
  // A filter-wide action shows its filter as text, with its counts.
  const bulk = audit.rows.filter({ hasText: "cli:ops@batch-7" });
  await expect(bulk.getByTestId("audit-targets")).toContainText("filter: kind=send_email state=dead");
  await expect(bulk).toContainText("1,200");
  await expect(bulk).toContainText("partial");
  // Relative time, with UTC on hover.
  await expect(newest.locator("time")).toHaveAttribute("title", / UTC$/);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: "e2e/artifacts/audit.png", fullPage: true });

  // Filter by actor and time range through the form; the URL carries it.
  await audit.filter("Actor").fill("ADMIN");
  await audit.filter("Since").fill("1h");
  await audit.apply();
  await expect(page).toHaveURL(/\/audit\?actor=ADMIN&since=1h$/);
  await expect(audit.rows).toHaveCount(1);
  await expect(audit.rows.first().getByTestId("audit-reason")).toHaveText("upstream fixed, audit e2e");

  // The exports carry exactly the filtered rows.
  const csvHref = await audit.exportLink("CSV").getAttribute("href");
  expect(csvHref).toBe("/audit/export/csv?actor=ADMIN&since=1h");
  const csv = await page.request.get(csvHref!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  expect(csv.headers()["content-disposition"]).toMatch(/^attachment; filename="jobdeck-audit-.*\.csv"$/);
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines[0]).toBe("id,at,actor,roles,action,target_ids,filter,affected,skipped,reason,outcome,details,source,target_keys");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(new RegExp(`^\\d+,\\d{4}-\\d{2}-\\d{2}T[^,]+Z,admin@example\\.com,admin,jobs\\.retry,${id},,1,0,"upstream fixed, audit e2e",ok,`));

  const ndjsonHref = await audit.exportLink("NDJSON").getAttribute("href");
  const nd = await page.request.get(ndjsonHref!);
  expect(nd.status()).toBe(200);
  expect(nd.headers()["content-type"]).toContain("application/x-ndjson");
  const events = (await nd.text()).trim().split("\n").map((l) => JSON.parse(l));
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ actor: "admin@example.com", roles: ["admin"], action: "jobs.retry", target_ids: [id], affected: 1, skipped: 0, reason: "upstream fixed, audit e2e", outcome: "ok" });

  // Unfiltered, the export holds every event, newest first; the job filter finds carol's.
  const all = (await (await page.request.get("/audit/export/ndjson")).text()).trim().split("\n").map((l) => JSON.parse(l));
  expect(all.map((e) => e.actor)).toEqual(["admin@example.com", "cli:ops@batch-7", "carol@example.com"]);
  await audit.goto(`job=${other}`);
  await expect(audit.rows).toHaveCount(1);
  await expect(audit.rows.first()).toContainText("superseded by v2");
});

test("an invalid filter is named next to its field, and the export refuses it", async ({ page }) => {
  const audit = new AuditPage(page);
  await audit.goto("since=yesterday&job=abc");
  await expect(audit.invalidFilter).toContainText("2 filters are invalid");
  await expect(page.getByTestId("filter-error-since")).toContainText("since must be a duration like 30m, 10h or 2d");
  await expect(page.getByTestId("filter-error-job")).toContainText("job must be a job id");
  await expect(audit.filter("Since")).toHaveAttribute("aria-invalid", "true");
  const res = await page.request.get("/audit/export/csv?since=yesterday");
  expect(res.status()).toBe(400);
  expect((await res.json()).error.fields.since[0]).toMatch(/since must be/);
  expect((await page.request.get("/audit/export/xml")).status()).toBe(404);
});

test("every page is served with the hardening headers, and still hydrates", async ({ page }) => {
  for (const path of ["/", "/audit", "/jobs", "/api/health"]) {
    const res = await page.request.get(path);
    const h = res.headers();
    const csp = h["content-security-policy"] ?? "";
    // Pages: scripts only with this response's nonce; API responses: nothing at all.
    if (path.startsWith("/api/")) expect(csp, path).toContain("default-src 'none'");
    else expect(csp, path).toMatch(/default-src 'self'.*script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).not.toContain("unsafe-eval");
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(h["x-frame-options"], path).toBe("DENY");
  }
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  // Pages with charts, live lists and the API docs load without a single CSP report.
  for (const path of ["/", "/jobs", "/api-docs", "/settings/tokens"]) {
    await page.goto(path);
    await page.waitForLoadState("load");
  }
  await page.goto("/audit");
  // Hydrated: the client-side filter form navigates without a full reload and drops empty fields.
  await page.getByRole("search", { name: "Filter audit events" }).getByLabel("Action", { exact: true }).fill("jobs.*");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\/audit\?action=jobs\.\*$/);
  await expect(page.getByRole("button", { name: /Pause live/ })).toBeVisible();
  expect(violations).toEqual([]);
});
