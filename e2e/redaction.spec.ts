// Secrets in job data, in a real browser: a viewer sees "••••" for payload keys named in
// JOBDECK_REDACT_KEYS on the job page AND gets "••••" from the API with the very same browser
// session (the cookie the page uses), with X-Jobdeck-Redacted: true; nothing of the secrets is
// in the served document. The admin sees and gets the stored values, and is told so.
import { expect, test } from "@playwright/test";
import type { Database } from "../db/client";
import { enqueue } from "../lib/queue";
import { unique } from "./fixtures/operator-fixtures";
import { JobDetailPage } from "./pages/job-detail-page";
import { storageStatePath } from "./support/auth";
import { freshE2eDatabasePerTest } from "./support/database";

let db: Database;

freshE2eDatabasePerTest((d) => (db = d));

const PAYLOAD = { password: "hunter2", nested: { Token: "x-tok-9", list: [{ AUTHORIZATION: "Bearer s3cr3t-value" }] }, user: "alice" };
const SECRETS = ["hunter2", "x-tok-9", "s3cr3t-value"];

function seed(): Promise<number> {
  return enqueue(db, { kind: unique("secret"), queue: unique("q_secret"), payload: PAYLOAD });
}

test.describe("a viewer", () => {
  test.use({ storageState: storageStatePath("viewer") });

  test("sees •••• on the job page and gets •••• from the API with the same browser session", async ({ page }) => {
    const id = await seed();
    const detail = new JobDetailPage(page);
    await detail.goto(id);
    await expect(detail.payload).toContainText('"password": "••••"');
    await expect(detail.payload).toContainText('"Token": "••••"');
    await expect(detail.payload).toContainText('"AUTHORIZATION": "••••"');
    await expect(detail.payload).toContainText('"user": "alice"');
    const html = await page.content();
    for (const s of SECRETS) expect(html).not.toContain(s);
    // Nor in the server-rendered document (the RSC payload included).
    const doc = await (await page.request.get(`/jobs/${id}`)).text();
    for (const s of SECRETS) expect(doc).not.toContain(s);

    // The same cookie against the API: job detail and the NDJSON export.
    const r = await page.request.get(`/api/v1/admin/jobs/${id}`);
    expect(r.status()).toBe(200);
    const body = await r.json();
    expect(body.job.payload).toEqual({ password: "••••", nested: { Token: "••••", list: [{ AUTHORIZATION: "••••" }] }, user: "alice" });
    expect(r.headers()["x-jobdeck-redacted"]).toBe("true");
    const exp = await page.request.get(`/api/v1/admin/jobs/export?kind=${encodeURIComponent(body.job.kind)}`);
    const text = await exp.text();
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(JSON.parse(text.trim()).payload.password).toBe("••••");
    expect(exp.headers()["x-jobdeck-redacted"]).toBe("true");
    // And the page says so.
    await expect(page.getByTestId("redaction-note")).toContainText("••••");
  });
});

test.describe("an admin", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("sees the stored values on the job page and from the API, and is told they are not masked", async ({ page }) => {
    const id = await seed();
    const detail = new JobDetailPage(page);
    await detail.goto(id);
    await expect(detail.payload).toContainText('"password": "hunter2"');
    await expect(detail.payload).toContainText('"AUTHORIZATION": "Bearer s3cr3t-value"');
    await expect(page.getByTestId("redaction-note")).toContainText("not masked");
    const r = await page.request.get(`/api/v1/admin/jobs/${id}`);
    expect(r.headers()["x-jobdeck-redacted"]).toBe("false");
    expect((await r.json()).job.payload).toEqual(PAYLOAD);
  });
});
