// API tokens in a real browser: an admin creates one at /settings/tokens, sees it once, it works
// against the API with exactly its scope, and after "Revoke" the API refuses it.
import { expect, test } from "@playwright/test";
import type { Database } from "../db/client";
import { expectNoSeriousA11yViolations, seedDeadJob, unique } from "./fixtures/operator-fixtures";
import { freshE2eDatabasePerTest } from "./support/database";

let db: Database;

freshE2eDatabasePerTest((d) => (db = d));

test("an admin creates a read-only token, scripts can read but not retry with it, and revoking it locks them out", async ({ page, request }) => {
  const dead = await seedDeadJob(db, { kind: unique("tok"), queue: unique("q_tok") });
  await page.goto("/settings/tokens");
  await expect(page.getByText("No API tokens yet.")).toBeVisible();
  await page.getByLabel("Name").fill("grafana-e2e");
  await page.getByLabel("Owner (email or team)").fill("ops@example.com");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByTestId("new-token");
  await expect(shown).toBeVisible();
  const token = (await shown.textContent())!.trim();
  expect(token.length).toBeGreaterThan(20);
  await expect(page.getByRole("cell", { name: "grafana-e2e" })).toBeVisible();
  await page.screenshot({ path: "e2e/artifacts/settings-tokens.png", fullPage: true });
  await expectNoSeriousA11yViolations(page);

  const auth = { authorization: `Bearer ${token}` };
  const list = await request.get("/api/v1/admin/jobs?state=dead", { headers: auth });
  expect(list.status()).toBe(200);
  expect((await list.json()).jobs.map((j: { id: number }) => j.id)).toContain(dead);
  const retry = await request.post(`/api/v1/admin/jobs/${dead}/retry`, { headers: auth, data: {} });
  expect(retry.status()).toBe(403);
  const [row] = await db.query<{ state: string }>("select state from jobs where id = $1", [dead]);
  expect(row.state).toBe("dead");

  await page.getByRole("button", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke API token" });
  await expect(dialog).toContainText("get 401 from the next request on");
  await dialog.getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Revoked token" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "revoked" })).toBeVisible();
  expect((await request.get("/api/v1/admin/jobs", { headers: auth })).status()).toBe(401);
  const audit = await db.query<{ action: string }>("select action from audit_events where action like 'tokens.%' order by id");
  expect(audit.map((a) => a.action)).toEqual(["tokens.create", "tokens.revoke"]);
});
