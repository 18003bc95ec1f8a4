// Single sign-on with identity providers that release groups in other ways than the suite's own
// (e2e/support/oidc-provider.mjs, JOBDECK_E2E_OIDC_GROUPS): one gives `groups` only when the
// `groups` scope is asked for (and lists it in scopes_supported), one only from its userinfo
// endpoint. Without OIDC_SCOPE set, Jobdeck asks for the scope and reads userinfo by itself, so
// the admin gets the admin role through both. Each describe starts its provider and an app server
// (same build and database) signing in through it.
import { expect, test } from "@playwright/test";
import type { Database } from "../db/client";
import { expectSignedInAs, SignInPage } from "./pages/sign-in-page";
import { SSO_VARIANT_APP_PORT, SSO_VARIANT_OIDC_PORT, USERS } from "./support/auth";
import { freshE2eDatabasePerTest } from "./support/database";
import { type SpawnedServer, startAppServer, startOidcProvider } from "./support/servers";

let db: Database;

freshE2eDatabasePerTest((d) => (db = d));

const VARIANTS = [
  { groups: "scope", what: "only when the groups scope is requested" },
  { groups: "userinfo", what: "only from the userinfo endpoint" },
] as const;

for (const variant of VARIANTS) {
  test.describe(`a provider that releases groups ${variant.what}`, () => {
    test.use({ storageState: { cookies: [], origins: [] } });
    let idp: SpawnedServer | undefined;
    let app: SpawnedServer | undefined;

    test.beforeAll(async () => {
      idp = await startOidcProvider(SSO_VARIANT_OIDC_PORT, SSO_VARIANT_APP_PORT, variant.groups);
      app = await startAppServer(SSO_VARIANT_APP_PORT, { OIDC_ISSUER: idp.url });
    });

    test.afterAll(async () => {
      await app?.stop();
      await idp?.stop();
    });

    test("the admin signs in and gets the admin role (not the no-access page)", async ({ browser }) => {
      const doc = (await (await fetch(`${idp!.url}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
      if (variant.groups === "scope") expect(doc.scopes_supported).toContain("groups");
      else expect(doc.scopes_supported).not.toContain("groups");

      const context = await browser.newContext({ baseURL: app!.url });
      try {
        const page = await context.newPage();
        await page.goto("/jobs");
        await new SignInPage(page, idp!.url).signInAs(USERS.admin);
        await expect(page).toHaveURL(`${app!.url}/jobs`);
        await expect(page.getByRole("heading", { level: 1, name: "Jobs" })).toBeVisible();
        await expectSignedInAs(page, USERS.admin, "admin");
      } finally {
        await context.close();
      }
      const rows = await db.query<{ actor: string; action: string; groups: string[] }>(
        "select actor, action, details->'groups' as groups from audit_events where action like 'auth.%' order by id",
      );
      expect(rows).toEqual([{ actor: USERS.admin, action: "auth.sign_in", groups: ["jobdeck-admins"] }]);
    });
  });
}
