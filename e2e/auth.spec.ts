// Signing in and what each role may do, through the real flow: Jobdeck's /signin, the e2e
// identity provider's login form (e2e/support/oidc-provider.mjs) and back. Each role lands where
// it started with its email and role in the header; a viewer sees no actions and a forged action
// or API call from the viewer is refused with 403 while the job stays as it was; the operator's
// retry is audited under their email; a bulk action above the threshold needs an admin; signing
// out removes the session cookie; an expired session sends the browser to sign in again; a user
// without a mapped group gets "No access"; sign-ins, refused sign-ins and sign-outs are in the
// audit log. Sign-in pages pass axe.
import { type APIRequestContext, type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
import type { Database } from "../db/client";
import { expectNoSeriousA11yViolations, jobState, seedDeadJob, unique } from "./fixtures/operator-fixtures";
import { AuditPage } from "./pages/audit-page";
import { JobDetailPage } from "./pages/job-detail-page";
import { JobsPage } from "./pages/jobs-page";
import { expectSignedInAs, SignInPage } from "./pages/sign-in-page";
import {
  APP_PORT,
  appUrl,
  BULK_CONFIRM_THRESHOLD,
  SHORT_SESSION_APP_PORT,
  storageStatePath,
  USERS,
} from "./support/auth";
import { freshE2eDatabasePerTest } from "./support/database";
import { seedDead } from "./support/seed";
import { type SpawnedServer, startAppServer } from "./support/servers";

let db: Database;

freshE2eDatabasePerTest((d) => (db = d));

const SIGNED_OUT = { cookies: [], origins: [] };
const SESSION_COOKIE = "next-auth.session-token";

async function auditActions(): Promise<{ actor: string; action: string; reason: string | null }[]> {
  return db.query("select actor, action, reason from audit_events order by id");
}

test.describe("signing in", () => {
  test.use({ storageState: SIGNED_OUT });

  for (const role of ["viewer", "operator", "admin"] as const) {
    test(`the ${role} signs in through the identity provider's login form and is back on /jobs with their email and role`, async ({ page }) => {
      await page.goto("/jobs");
      await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fjobs$/);
      const signIn = new SignInPage(page);
      await expect(signIn.heading).toBeVisible();
      await expect(signIn.expiredMessage).toHaveCount(0);
      if (role === "viewer") await expectNoSeriousA11yViolations(page);

      await signIn.signInAs(USERS[role]);
      await expect(page).toHaveURL(`${appUrl(APP_PORT)}/jobs`);
      await expect(page.getByRole("heading", { level: 1, name: "Jobs" })).toBeVisible();
      await expectSignedInAs(page, USERS[role], role);
      const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe("Lax");
    });
  }

  test("a user none of whose groups maps to a role signs in and gets the No access page, for /jobs too", async ({ page }) => {
    await page.goto("/jobs");
    await new SignInPage(page).signInAs(USERS.nobody);
    await expect(page).toHaveURL(/\/no-access$/);
    await expect(page.getByRole("heading", { level: 1, name: "No access" })).toBeVisible();
    await expect(page.getByTestId("no-access-user")).toHaveText(USERS.nobody);
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: "e2e/artifacts/no-access.png", fullPage: true });

    await page.goto("/jobs");
    await expect(page).toHaveURL(/\/no-access$/);
    await expect(page.getByRole("heading", { level: 1, name: "No access" })).toBeVisible();
    // The API refuses the session as well: signed in, but without a role.
    const id = await seedDeadJob(db, { kind: unique("noaccess"), queue: unique("q_noaccess") });
    expect((await page.request.get(`/api/v1/admin/jobs/${id}`)).status()).toBe(403);
  });
});

test.describe("the audit log of signing in", () => {
  test.use({ storageState: SIGNED_OUT });

  /** A fresh browser (its own identity-provider session too) on Jobdeck's sign-in page via /jobs. */
  async function freshSignIn(browser: Browser): Promise<{ context: BrowserContext; page: Page; signIn: SignInPage }> {
    const context = await browser.newContext({ baseURL: appUrl(APP_PORT) });
    const page = await context.newPage();
    await page.goto("/jobs");
    const signIn = new SignInPage(page);
    await signIn.heading.waitFor();
    return { context, page, signIn };
  }

  test("sign-ins, refused sign-ins (no role, cancelled at the provider, expired) and a sign-out are audited; /audit shows them under auth.*", async ({ browser }) => {
    test.setTimeout(240_000); // four sign-ins through the provider, each in a fresh browser
    // 1. A user whose groups map to no role: signed in, but refused.
    const nobody = await freshSignIn(browser);
    await nobody.signIn.signInAs(USERS.nobody);
    await expect(nobody.page).toHaveURL(/\/no-access$/);
    await nobody.context.close();

    // 2. Cancelled at the identity provider: it answers the callback with access_denied.
    const cancelled = await freshSignIn(browser);
    await cancelled.signIn.ssoButton.click();
    await cancelled.page.waitForURL((u) => u.pathname.startsWith("/interaction/"));
    await cancelled.signIn.cancelProviderLogin();
    await expect(cancelled.signIn.errorMessage).toBeVisible();
    await cancelled.context.close();

    // 3. Expired: the browser no longer holds the sign-in's state and PKCE cookies (they live 15
    //    minutes) when the provider sends it back.
    const expired = await freshSignIn(browser);
    await expired.signIn.ssoButton.click();
    await expired.page.waitForURL((u) => u.pathname.startsWith("/interaction/"));
    expect((await expired.context.cookies()).map((c) => c.name)).toEqual(expect.arrayContaining(["next-auth.state", "next-auth.pkce.code_verifier"]));
    await expired.context.clearCookies({ name: /^next-auth\.(state|pkce\.code_verifier)$/ });
    await expired.signIn.completeProviderLogin(USERS.admin);
    await expect(expired.signIn.errorMessage).toHaveText(/could not be verified/);
    await expired.context.close();

    // 4. The admin signs in, then signs out.
    const admin = await freshSignIn(browser);
    await admin.signIn.signInAs(USERS.admin);
    await expectSignedInAs(admin.page, USERS.admin, "admin");
    await admin.page.getByRole("link", { name: "Sign out" }).click();
    await admin.page.getByRole("button", { name: "Sign out" }).click();
    await expect(admin.page).toHaveURL(/\/signin\?signedout=1$/);
    await admin.context.close();

    const rows = await db.query<{ actor: string; roles: string[]; action: string; outcome: string; reason: string | null }>(
      "select actor, roles, action, outcome, reason from audit_events order by id",
    );
    expect(rows).toEqual([
      { actor: USERS.nobody, roles: [], action: "auth.sign_in_refused", outcome: "refused", reason: "no role: none of the user's groups maps to a Jobdeck role (JOBDECK_ROLE_MAP)" },
      { actor: "anonymous", roles: [], action: "auth.sign_in_refused", outcome: "refused", reason: "the identity provider refused the sign-in: access_denied" },
      {
        actor: "anonymous",
        roles: [],
        action: "auth.sign_in_refused",
        outcome: "refused",
        reason: "the sign-in expired or was already used (it must finish within 15 minutes); the user has to start again",
      },
      { actor: USERS.admin, roles: ["admin"], action: "auth.sign_in", outcome: "ok", reason: null },
      { actor: USERS.admin, roles: ["admin"], action: "auth.sign_out", outcome: "ok", reason: null },
    ]);

    // An admin (already signed in: no new row) finds them on /audit, newest first, with auth.*.
    const viewer = await browser.newContext({ baseURL: appUrl(APP_PORT), storageState: storageStatePath("admin") });
    try {
      const audit = new AuditPage(await viewer.newPage());
      await audit.goto("action=auth.*");
      await expect(audit.rows).toHaveCount(5);
      await expect(audit.rows.getByTestId("audit-action")).toHaveText(["auth.sign_out", "auth.sign_in", "auth.sign_in_refused", "auth.sign_in_refused", "auth.sign_in_refused"]);
      await expect(audit.rows.getByTestId("audit-actor")).toHaveText([USERS.admin, USERS.admin, "anonymous", "anonymous", USERS.nobody]);
      await expect(audit.rows.nth(2).getByTestId("audit-reason")).toHaveText(/expired/);
    } finally {
      await viewer.close();
    }
  });
});

test.describe("a viewer", () => {
  test.use({ storageState: storageStatePath("viewer") });

  test("sees a dead job and the jobs list without any action buttons", async ({ page }) => {
    const kind = unique("viewer");
    const id = await seedDeadJob(db, { kind, queue: unique("q_viewer") });
    const detail = new JobDetailPage(page);
    await detail.goto(id);
    await expectSignedInAs(page, USERS.viewer, "viewer");
    await expect(detail.state).toContainText("dead");
    await expect(page.getByTestId("read-only-note")).toHaveText("Read-only: your role is viewer");
    await expect(page.getByRole("group", { name: "Job actions" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /Retry|Cancel|Priority|Run now|Recover/ })).toHaveCount(0);

    const jobs = new JobsPage(page);
    await jobs.goto({ kind });
    await expect(jobs.rows).toHaveCount(1);
    await expect(jobs.row(id)).toBeVisible();
    await expect(page.getByRole("checkbox", { name: /^Select / })).toHaveCount(0);
    await expect(jobs.selectAllMatching).toHaveCount(0);
    await expect(jobs.bulkBar).toHaveCount(0);
    expect(await jobState(db, id)).toBe("dead");
  });

  test("a forged retry action from the viewer is refused with 403 and the job stays dead; the operator's identical request works", async ({ browser, page }) => {
    const id = await seedDeadJob(db, { kind: unique("forged"), queue: unique("q_forged") });
    // The real request the Retry button sends, captured from the operator's browser and stopped
    // before it reaches the server.
    const operator = await browser.newContext({ storageState: storageStatePath("operator") });
    let captured: { url: string; headers: Record<string, string>; body: string };
    try {
      const opPage = await operator.newPage();
      const detail = new JobDetailPage(opPage);
      await detail.goto(id);
      const seen = new Promise<typeof captured>((resolve) => {
        void opPage.route(`**/jobs/${id}`, async (route) => {
          const req = route.request();
          if (req.method() !== "POST" || !req.headers()["next-action"]) return route.continue();
          resolve({ url: req.url(), headers: await req.allHeaders(), body: req.postData() ?? "" });
          await route.abort();
        });
      });
      await detail.action("↻ Retry").click();
      await detail.dialog.getByLabel("Reason (optional)").fill("forged by e2e");
      await detail.dialog.getByTestId("confirm-dialog-confirm").click();
      captured = await seen;
    } finally {
      await operator.close();
    }
    expect(captured.body).toContain("forged by e2e");
    const replay = (ctx: Pick<APIRequestContext, "post">) =>
      ctx.post(captured.url, {
        headers: {
          ...Object.fromEntries(["next-action", "next-router-state-tree", "content-type", "accept"].filter((h) => captured.headers[h]).map((h) => [h, captured.headers[h]])),
          origin: appUrl(APP_PORT),
        },
        data: captured.body,
        maxRedirects: 0,
      });

    // The viewer's browser sends the same request, with the viewer's session cookie.
    const refused = await replay(page.request);
    expect(refused.status()).toBe(403);
    expect(await jobState(db, id)).toBe("dead");
    expect(await auditActions()).toEqual([]);

    // The identical request with the operator's cookie does retry the job: the 403 was the role.
    const again = await browser.newContext({ storageState: storageStatePath("operator"), baseURL: appUrl(APP_PORT) });
    try {
      const allowed = await replay(again.request);
      expect(allowed.status()).toBe(200);
    } finally {
      await again.close();
    }
    expect(await jobState(db, id)).toBe("pending");
    expect(await auditActions()).toEqual([{ actor: USERS.operator, action: "jobs.retry", reason: "forged by e2e" }]);
  });

  test("the API refuses the viewer's session cookie with a 403 JSON error and the job stays dead", async ({ request }) => {
    const id = await seedDeadJob(db, { kind: unique("viewerapi"), queue: unique("q_viewerapi") });
    // Reading is allowed to a viewer...
    const read = await request.get(`/api/v1/admin/jobs/${id}`);
    expect(read.status()).toBe(200);
    // ...changing is not, from this site's origin or without one.
    const withAndWithoutOrigin: Record<string, string>[] = [{ origin: appUrl(APP_PORT) }, {}];
    for (const headers of withAndWithoutOrigin) {
      const res = await request.post(`/api/v1/admin/jobs/${id}/retry`, { headers, data: { reason: "viewer tries" } });
      expect(res.status()).toBe(403);
      expect(res.headers()["content-type"]).toContain("application/json");
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("forbidden");
      expect(body.error.message).toContain(USERS.viewer);
    }
    expect(await jobState(db, id)).toBe("dead");
    expect(await auditActions()).toEqual([]);
  });
});

test.describe("an operator", () => {
  test.use({ storageState: storageStatePath("operator") });

  test("retries a dead job with a reason, and /audit shows the operator, the action and the reason", async ({ page }) => {
    const id = await seedDeadJob(db, { kind: unique("opretry"), queue: unique("q_opretry") });
    const detail = new JobDetailPage(page);
    await detail.goto(id);
    await expectSignedInAs(page, USERS.operator, "operator");
    await detail.action("↻ Retry").click();
    await detail.confirm("provider back up, operator e2e");
    await expect(detail.toasts.filter({ hasText: `Retried job #${id}` })).toBeVisible();
    await expect(detail.state).toContainText("pending");
    expect(await jobState(db, id)).toBe("pending");
    expect(await auditActions()).toEqual([{ actor: USERS.operator, action: "jobs.retry", reason: "provider back up, operator e2e" }]);

    const audit = new AuditPage(page);
    await audit.goto();
    await expect(audit.rows).toHaveCount(1);
    const row = audit.rows.first();
    await expect(row.getByTestId("audit-actor")).toHaveText(USERS.operator);
    await expect(row).toContainText("operator");
    await expect(row.getByTestId("audit-action")).toHaveText("jobs.retry");
    await expect(row.getByTestId("audit-reason")).toHaveText("provider back up, operator e2e");
    await expect(row.getByRole("link", { name: `#${id}` })).toHaveAttribute("href", `/jobs/${id}`);
  });

  test(`cannot bulk-retry more dead jobs than the threshold (${BULK_CONFIRM_THRESHOLD}): the dialog says it needs an admin and nothing changes`, async ({ page }) => {
    const kind = unique("opbulk");
    const dead = await seedDead(db, BULK_CONFIRM_THRESHOLD + 3, { kind });
    const jobs = new JobsPage(page);
    await jobs.goto({ kind });
    await expect(jobs.rows).toHaveCount(dead.length);
    await jobs.selectAllMatching.click();
    await expect(jobs.bulkBar).toContainText(`All ${dead.length} jobs matching this filter selected`);
    await jobs.bulkButton("Retry").click();

    await expect(jobs.dialogPreview).toHaveText(`Retry ${dead.length} jobs?`);
    const needsAdmin = jobs.dialog.getByTestId("bulk-needs-admin");
    await expect(needsAdmin).toContainText(`This would change ${dead.length} jobs`);
    await expect(needsAdmin).toContainText(`More than ${BULK_CONFIRM_THRESHOLD} at once needs an admin`);
    await expect(jobs.dialogConfirm).toHaveText("Needs an admin");
    await expect(jobs.dialogConfirm).toBeDisabled();
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: "e2e/artifacts/bulk-needs-admin.png" });

    await jobs.dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(jobs.dialog).toBeHidden();
    const states = await db.query<{ state: string; n: number }>("select state, count(*)::int as n from jobs where kind = $1 group by state", [kind]);
    expect(states).toEqual([{ state: "dead", n: dead.length }]);
    expect(await auditActions()).toEqual([]);
  });

  test("signing out removes the session cookie, and /jobs then asks to sign in", async ({ page }) => {
    await page.goto("/jobs");
    await expectSignedInAs(page, USERS.operator, "operator");
    await page.getByRole("link", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signout$/);
    await expect(page.getByTestId("signout-user")).toHaveText(USERS.operator);
    await expectNoSeriousA11yViolations(page);
    await page.getByRole("button", { name: "Sign out" }).click();

    await expect(page).toHaveURL(/\/signin\?signedout=1$/);
    await expect(page.getByText("You are signed out.")).toBeVisible();
    const names = (await page.context().cookies()).map((c) => c.name);
    expect(names).not.toContain(SESSION_COOKIE);
    // Nobody is signed in now: no "expired" note either, since the browser holds no session.
    await page.goto("/jobs");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fjobs$/);
    await expect(new SignInPage(page).ssoButton).toBeVisible();
    expect((await page.request.get("/api/v1/admin/jobs")).status()).toBe(401);
  });
});

test.describe("a session past its lifetime", () => {
  test.use({ storageState: SIGNED_OUT });
  // A second app server on the same build and database whose sessions last 0.002 h (7.2 s).
  const baseURL = appUrl(SHORT_SESSION_APP_PORT);
  let server: SpawnedServer | undefined;

  test.beforeAll(async () => {
    server = await startAppServer(SHORT_SESSION_APP_PORT, { JOBDECK_SESSION_HOURS: "0.002" });
  });

  test.afterAll(async () => {
    await server?.stop();
  });

  async function signInOnShortSessionServer(context: BrowserContext): Promise<{ page: Page; signedInAt: number }> {
    const page = await context.newPage();
    await page.goto(`${baseURL}/jobs`);
    await new SignInPage(page).signInAs(USERS.operator);
    await expect(page).toHaveURL(`${baseURL}/jobs`);
    const signedInAt = Date.now();
    await expectSignedInAs(page, USERS.operator, "operator");
    return { page, signedInAt };
  }

  test("after 7.2 s the next page sends the browser to sign in again, saying the session has ended", async ({ browser }) => {
    const context = await browser.newContext({ baseURL });
    try {
      const { page, signedInAt } = await signInOnShortSessionServer(context);
      // The session ends 0.002 h after sign-in, whatever the cookie says; wait just past that.
      const endsBy = signedInAt + 7_200 + 500;
      await page.waitForTimeout(Math.max(0, endsBy - Date.now()));
      await page.goto(`${baseURL}/jobs`);
      await expect(page).toHaveURL(`${baseURL}/signin?callbackUrl=%2Fjobs&expired=1`);
      const signIn = new SignInPage(page);
      await expect(signIn.expiredMessage).toHaveText("Your session has ended. Sign in again to continue.");
      await expect(signIn.ssoButton).toBeVisible();
      expect((await page.request.get(`${baseURL}/api/v1/admin/jobs`)).status()).toBe(401);
    } finally {
      await context.close();
    }
  });

  test("a jobs list left open moves to sign-in by itself when the session ends, and comes back after signing in", async ({ browser }) => {
    const context = await browser.newContext({ baseURL });
    try {
      const { page } = await signInOnShortSessionServer(context);
      await page.goto(`${baseURL}/jobs?state=dead`);
      // No navigation by the test: the list's live refresh meets the 401 and goes to sign-in.
      await expect(page).toHaveURL(`${baseURL}/signin?expired=1&callbackUrl=%2Fjobs%3Fstate%3Ddead`, { timeout: 20_000 });
      const signIn = new SignInPage(page);
      await expect(signIn.expiredMessage).toBeVisible();
      // The identity provider may still remember the operator and skip its login form.
      await signIn.ssoButton.click();
      await page.waitForURL((u) => u.pathname.startsWith("/interaction/") || u.origin === baseURL && u.pathname === "/jobs");
      if (page.url().includes("/interaction/")) await signIn.completeProviderLogin(USERS.operator);
      await expect(page).toHaveURL(`${baseURL}/jobs?state=dead`);
    } finally {
      await context.close();
    }
  });
});
