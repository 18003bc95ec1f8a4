// Page object for the job detail page (/jobs/[id]).
import { expect, type Locator, type Page } from "@playwright/test";

export class JobDetailPage {
  constructor(readonly page: Page) {}

  async goto(id: number | string): Promise<void> {
    await this.page.goto(`/jobs/${id}`);
    await this.page.getByRole("heading", { level: 1, name: new RegExp(`^Job #${id}`) }).waitFor();
  }

  /** The state badge in the "Job" fields. */
  get state(): Locator {
    return this.page.getByTestId("field-state");
  }

  get hint(): Locator {
    return this.page.getByTestId("recovery-hint");
  }

  get lastError(): Locator {
    return this.page.getByTestId("last-error");
  }

  get payload(): Locator {
    return this.page.getByTestId("payload");
  }

  get attempts(): Locator {
    return this.page.getByTestId("attempt");
  }

  action(name: RegExp | string): Locator {
    return this.page.getByRole("group", { name: "Job actions" }).getByRole("button", { name });
  }

  get dialog(): Locator {
    return this.page.getByRole("dialog");
  }

  /** Confirms the open dialog, with a reason for the audit log. */
  async confirm(reason?: string): Promise<void> {
    await expect(this.dialog).toBeVisible();
    if (reason) await this.dialog.getByLabel("Reason (optional)").fill(reason);
    await this.dialog.getByTestId("confirm-dialog-confirm").click();
    await expect(this.dialog).toBeHidden();
  }

  get toasts(): Locator {
    return this.page.getByTestId("toast");
  }
}
