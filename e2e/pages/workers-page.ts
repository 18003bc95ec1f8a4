// Page object for the workers page (/workers).
import { expect, type Locator, type Page } from "@playwright/test";

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

  get confirmButton(): Locator {
    return this.dialog.getByTestId("confirm-dialog-confirm");
  }

  /** In the recover dialog: what the worker holds, and the jobs still leased. */
  get recoverPreview(): Locator {
    return this.dialog.getByTestId("recover-preview");
  }

  get stillLeased(): Locator {
    return this.dialog.getByTestId("recover-still-leased");
  }

  /** In the second dialog: the warning before live leases are released. */
  get forceWarning(): Locator {
    return this.dialog.getByTestId("recover-force-warning");
  }

  /** Clicks "Recover its jobs" on the worker's row and waits for the lease preview. */
  async openRecover(workerId: string, count: number): Promise<void> {
    await this.row(workerId).getByRole("button", { name: `Recover the ${count} running job${count === 1 ? "" : "s"} of worker ${workerId}` }).click();
    await expect(this.recoverPreview).toBeVisible();
  }

  get toasts(): Locator {
    return this.page.getByTestId("toast");
  }

  get pauseToggle(): Locator {
    return this.page.getByRole("button", { name: /Pause live|Resume live/ });
  }
}
