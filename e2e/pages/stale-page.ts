// Page object for the stale locks page (/stale).
import type { Locator, Page } from "@playwright/test";

export class StalePage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto("/stale");
    await this.page.getByRole("heading", { level: 1, name: "Stale locks" }).waitFor();
  }

  row(jobId: number): Locator {
    return this.page.locator(`[data-testid="stale-row"][data-job-id="${jobId}"]`);
  }

  get rows(): Locator {
    return this.page.getByTestId("stale-row");
  }

  select(jobId: number): Promise<void> {
    return this.page.getByRole("checkbox", { name: `Select job ${jobId}`, exact: true }).check();
  }

  get recoverSelected(): Locator {
    return this.page.getByRole("button", { name: /^⟲ Recover selected/ });
  }

  get recoverAll(): Locator {
    return this.page.getByRole("button", { name: /^⟲ Recover all stale/ });
  }

  get empty(): Locator {
    return this.page.getByTestId("stale-empty");
  }

  get dialog(): Locator {
    return this.page.getByRole("dialog");
  }

  get toasts(): Locator {
    return this.page.getByTestId("toast");
  }
}
