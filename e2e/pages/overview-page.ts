// Page object for the overview (/).
import type { Locator, Page } from "@playwright/test";

export class OverviewPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto("/");
    await this.page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
  }

  /** The headline number of a stat card: pending, running, stale, retrying, dead, completed, cancelled, workers. */
  stat(id: string): Locator {
    return this.page.getByTestId(`stat-${id}`).locator("[data-stat-value]");
  }

  get deadJobRows(): Locator {
    return this.page.getByTestId("dead-job-row");
  }

  get dbBanner(): Locator {
    return this.page.getByRole("alert").filter({ hasText: "Database unreachable" });
  }
}
