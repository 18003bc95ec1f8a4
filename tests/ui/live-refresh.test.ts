// The live pages' refresh interval (components/live-refresh): the base interval, stretched after
// a slow answer, never before a server's Retry-After. The browser side is e2e/jobs-list.spec.ts.
import { describe, expect, it } from "vitest";
import { intervalText, MAX_SLOWED_MS, refreshDelay, retryAfterMs, SLOW_FACTOR } from "../../components/live-refresh";

describe("refreshDelay", () => {
  it("is the base interval while answers are quick", () => {
    expect(refreshDelay(5_000, null)).toBe(5_000);
    expect(refreshDelay(5_000, 200)).toBe(5_000);
  });

  it("waits SLOW_FACTOR times as long as the last answer took, up to MAX_SLOWED_MS", () => {
    expect(SLOW_FACTOR).toBe(5);
    expect(refreshDelay(5_000, 3_000)).toBe(15_000);
    expect(refreshDelay(5_000, 10 * 60_000)).toBe(MAX_SLOWED_MS);
  });

  it("never refreshes before a Retry-After", () => {
    expect(refreshDelay(5_000, 100, 30_000)).toBe(30_000);
    expect(refreshDelay(5_000, 10 * 60_000, 300_000)).toBe(300_000);
  });
});

describe("retryAfterMs", () => {
  it("reads seconds and HTTP dates; ignores what it cannot read", () => {
    expect(retryAfterMs("12")).toBe(12_000);
    const now = Date.parse("2025-06-01T12:00:00Z");
    expect(retryAfterMs("Sun, 01 Jun 2025 12:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs("soon")).toBeNull();
  });
});

describe("intervalText", () => {
  it("says seconds, then minutes", () => {
    expect(intervalText(5_000)).toBe("5s");
    expect(intervalText(90_000)).toBe("1m 30s");
    expect(intervalText(120_000)).toBe("2m");
  });
});
