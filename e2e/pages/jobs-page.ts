// Page object for the Jobs list (/jobs): filter bar, table rows, selection, bulk bar, confirm dialog, toasts.
import type { Locator, Page } from "@playwright/test";

export class JobsPage {
  constructor(readonly page: Page) {}

  /** Opens /jobs with the given query (a string like "kind=x&state=dead", or fields). */
  async goto(query: string | Record<string, string> = ""): Promise<void> {
    const qs = typeof query === "string" ? query : new URLSearchParams(query).toString();
    await this.page.goto(qs ? `/jobs?${qs}` : "/jobs");
    await this.page.getByRole("heading", { level: 1, name: "Jobs" }).waitFor();
  }

  get filterBar(): Locator {
    return this.page.getByRole("search", { name: "Filter jobs" });
  }

  filterInput(label: string): Locator {
    return this.filterBar.getByLabel(label, { exact: true });
  }

  stateCheckbox(state: string): Locator {
    return this.filterBar.getByRole("group", { name: "State" }).getByRole("checkbox", { name: state });
  }

  async applyFilters(): Promise<void> {
    await this.filterBar.getByRole("button", { name: "Apply filters" }).click();
  }

  get rows(): Locator {
    return this.page.getByTestId("job-row");
  }

  row(id: number): Locator {
    return this.page.locator(`[data-testid="job-row"][data-job-id="${id}"]`);
  }

  cell(id: number, col: "kind" | "queue" | "state" | "attempts" | "priority" | "worker" | "age" | "runtime" | "error"): Locator {
    return this.row(id).locator(`[data-col="${col}"]`);
  }

  rowCheckbox(id: number): Locator {
    return this.row(id).getByRole("checkbox", { name: `Select job ${id}` });
  }

  get matchingCount(): Locator {
    return this.page.getByTestId("matching-count");
  }

  get selectAllMatching(): Locator {
    return this.page.getByTestId("select-all-matching");
  }

  get bulkBar(): Locator {
    return this.page.getByRole("region", { name: "Bulk actions" });
  }

  bulkButton(name: "Retry" | "Cancel" | "Priority…" | "Run now"): Locator {
    return this.bulkBar.getByRole("button", { name });
  }

  get dialog(): Locator {
    return this.page.getByRole("dialog");
  }

  get dialogPreview(): Locator {
    return this.dialog.getByTestId("bulk-preview");
  }

  get dialogConfirm(): Locator {
    return this.dialog.getByTestId("confirm-dialog-confirm");
  }

  get toasts(): Locator {
    return this.page.getByTestId("toast");
  }

  get invalidFilter(): Locator {
    return this.page.getByTestId("invalid-filter");
  }

  filterError(field: string): Locator {
    return this.page.getByTestId(`filter-error-${field}`);
  }

  get empty(): Locator {
    return this.page.getByTestId("jobs-empty");
  }

  get liveStatus(): Locator {
    return this.page.getByTestId("live-status");
  }
}
