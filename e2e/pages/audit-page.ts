// Page object for the audit log (/audit).
import type { Locator, Page } from "@playwright/test";

export class AuditPage {
  constructor(readonly page: Page) {}

  async goto(query = ""): Promise<void> {
    await this.page.goto(`/audit${query ? `?${query}` : ""}`);
    await this.page.getByRole("heading", { level: 1, name: "Audit" }).waitFor();
  }

  get filterBar(): Locator {
    return this.page.getByRole("search", { name: "Filter audit events" });
  }

  filter(label: string): Locator {
    return this.filterBar.getByLabel(label, { exact: true });
  }

  async apply(): Promise<void> {
    await this.filterBar.getByRole("button", { name: "Apply filters" }).click();
  }

  get rows(): Locator {
    return this.page.getByTestId("audit-row");
  }

  row(eventId: number): Locator {
    return this.page.locator(`[data-testid="audit-row"][data-event-id="${eventId}"]`);
  }

  exportLink(format: "CSV" | "NDJSON"): Locator {
    return this.page.getByTestId("audit-export").getByRole("link", { name: format, exact: true });
  }

  get invalidFilter(): Locator {
    return this.page.getByTestId("invalid-filter");
  }
}
