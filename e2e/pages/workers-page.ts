// Page object for the workers page (/workers).
import type { Locator, Page } from "@playwright/test";

export class WorkersPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto("/workers");
    await this.page.getByRole("heading", { level: 1, name: "Workers" }).waitFor();
  }

  row(workerId: string): Locator {
    return this.page.locator(`[data-testid="worker-row"][data-worker-id="${workerId}"]`);
  }

  get rows(): Locator {
    return this.page.getByTestId("worker-row");
  }

  get dialog(): Locator {
    return this.page.getByRole("dialog");
  }

  get toasts(): Locator {
    return this.page.getByTestId("toast");
  }

  get pauseToggle(): Locator {
    return this.page.getByRole("button", { name: /Pause live|Resume live/ });
  }
}
