// Page object for signing in: Jobdeck's /signin, the e2e identity provider's login form
// (oidc-provider's development form: login, password, "Sign-in"), and the header that shows who
// is signed in.
import { expect, type Locator, type Page } from "@playwright/test";
import { OIDC_DISPLAY_NAME, OIDC_ISSUER, PASSWORD } from "../support/auth";

export class SignInPage {
  /** `issuer`: the identity provider this Jobdeck signs in through (the suite's own by default). */
  constructor(
    readonly page: Page,
    readonly issuer: string = OIDC_ISSUER,
  ) {}

  async goto(query = ""): Promise<void> {
    await this.page.goto(query ? `/signin?${query}` : "/signin");
    await this.heading.waitFor();
  }

  get heading(): Locator {
    return this.page.getByRole("heading", { level: 1, name: "Sign in to Jobdeck" });
  }

  get ssoButton(): Locator {
    return this.page.getByRole("button", { name: `Sign in with ${OIDC_DISPLAY_NAME}` });
  }

  get expiredMessage(): Locator {
    return this.page.getByTestId("signin-expired");
  }

  /** The identity provider's login form. */
  get providerLogin(): Locator {
    return this.page.getByPlaceholder("Enter any login");
  }

  /**
   * From Jobdeck's sign-in page: "Sign in with Example IdP", the provider's login form with
   * `email` and the password, and back to Jobdeck (wherever callbackUrl says).
   */
  async signInAs(email: string, password = PASSWORD): Promise<void> {
    await this.ssoButton.click();
    await this.page.waitForURL((u) => u.origin === this.issuer && u.pathname.startsWith("/interaction/"));
    await this.completeProviderLogin(email, password);
  }

  /** On the provider's login form: "[ Cancel ]", and wait to be sent back to Jobdeck. */
  async cancelProviderLogin(): Promise<void> {
    await this.page.getByRole("link", { name: "[ Cancel ]" }).click();
    await this.page.waitForURL((u) => u.origin !== this.issuer);
  }

  get errorMessage(): Locator {
    return this.page.getByTestId("signin-error");
  }

  /** On the provider's login form: log in and wait to be sent back to Jobdeck. */
  async completeProviderLogin(email: string, password = PASSWORD): Promise<void> {
    await this.providerLogin.fill(email);
    await this.page.getByPlaceholder("and password").fill(password);
    await this.page.getByRole("button", { name: "Sign-in" }).click();
    await this.page.waitForURL((u) => u.origin !== this.issuer);
  }
}

/** The header's "who am I": email and role. */
export async function expectSignedInAs(page: Page, email: string, role: "viewer" | "operator" | "admin"): Promise<void> {
  await expect(page.getByTestId("current-user")).toHaveText(email);
  await expect(page.getByTestId("current-role")).toHaveText(role);
}
