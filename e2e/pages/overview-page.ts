// Page object for the overview (/).
import type { Locator, Page } from "@playwright/test";

export class OverviewPage {
  constructor(readonly page: Page) {}

  async goto(range?: "1h" | "24h" | "7d"): Promise<void> {
    await this.page.goto(range ? `/?range=${range}` : "/");
    await this.page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
  }

  /**
   * The headline number of a stat card: pending, running, retrying, dead, cancelled,
   * completed-1h, completed (24 h), oldest, stale, workers.
   */
  stat(id: string): Locator {
    return this.page.getByTestId(`stat-${id}`).locator("[data-stat-value]");
  }

  get deadJobRows(): Locator {
    return this.page.getByTestId("dead-job-row");
  }

  get dbBanner(): Locator {
    return this.page.getByRole("alert").filter({ hasText: "Database unreachable" });
  }

  /** A chart figure: throughput, depth, failure-rate, runtime. */
  chart(id: string): Locator {
    return this.page.getByTestId(`chart-${id}`);
  }

  chartSummary(id: string): Locator {
    return this.chart(id).locator("[data-chart-summary]");
  }

  get attentionItems(): Locator {
    return this.page.getByTestId("attention-item");
  }

  attention(id: string): Locator {
    return this.page.locator(`[data-attention="${id}"]`);
  }

  kindRow(queue: string, kind: string): Locator {
    return this.page.locator(`[data-testid="kind-row"][data-queue="${queue}"][data-kind="${kind}"]`);
  }

  rangeLink(range: "1h" | "24h" | "7d"): Locator {
    return this.page.getByRole("navigation", { name: "Time range" }).getByRole("link", { name: { "1h": "last hour", "24h": "last 24 h", "7d": "last 7 days" }[range] });
  }
}
