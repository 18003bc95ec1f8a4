// Page object for the campaigns list (/campaigns).
import type { Locator, Page } from "@playwright/test";

export class CampaignsPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto("/campaigns");
    await this.page.getByRole("heading", { level: 1, name: "Campaigns" }).waitFor();
  }

  row(id: number): Locator {
    return this.page.locator(`[data-testid="campaign-row"][data-campaign-id="${id}"]`);
  }

  get empty(): Locator {
    return this.page.getByTestId("campaigns-empty");
  }
}
