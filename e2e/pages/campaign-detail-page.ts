// Page object for the campaign detail page (/campaigns/[id]).
import { expect, type Locator, type Page } from "@playwright/test";

export class CampaignDetailPage {
  constructor(readonly page: Page) {}

  async goto(id: number | string): Promise<void> {
    await this.page.goto(`/campaigns/${id}`);
    await this.page.getByRole("navigation", { name: "Breadcrumb" }).waitFor();
  }

  get heading(): Locator {
    return this.page.getByRole("heading", { level: 1 });
  }

  action(name: RegExp | string): Locator {
    return this.page.getByRole("group", { name: "Campaign actions" }).getByRole("button", { name });
  }

  get dialog(): Locator {
    return this.page.getByRole("dialog");
  }

  get preview(): Locator {
    return this.dialog.getByTestId("campaign-preview");
  }

  get refusal(): Locator {
    return this.dialog.getByTestId("campaign-refusal");
  }

  /** The dialog's "needs an admin" line (more jobs than the bulk threshold, and not an admin). */
  get needsAdmin(): Locator {
    return this.dialog.getByTestId("campaign-needs-admin");
  }

  get confirmButton(): Locator {
    return this.dialog.getByTestId("confirm-dialog-confirm");
  }

  get toasts(): Locator {
    return this.page.getByTestId("toast");
  }

  stat(id: "next-start" | "duplicates" | "gaps" | "progress"): Locator {
    return this.page.getByTestId(`stat-${id}`);
  }

  get batches(): Locator {
    return this.page.getByTestId("batch-row");
  }

  get gapRanges(): Locator {
    return this.page.getByTestId("gap-ranges");
  }

  /** Opens an action's dialog and waits for its preview (or refusal) to load. */
  async open(name: RegExp | string): Promise<void> {
    await this.action(name).click();
    await expect(this.dialog).toBeVisible();
    await expect(this.preview.or(this.refusal).first()).toBeVisible();
  }

  async confirm(reason?: string): Promise<void> {
    if (reason) await this.dialog.getByLabel("Reason (optional)").fill(reason);
    await this.confirmButton.click();
    await expect(this.dialog).toBeHidden();
  }
}
