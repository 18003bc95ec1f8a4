// Which job filters are expensive (no index serves them), the per-caller rolling-window budget
// for them, and the size caps of the filter inputs. The HTTP side (429 with Retry-After, the
// page's message) is tested against a running server in tests/api/request-limits.test.ts.
import { describe, expect, it } from "vitest";
import type { Caller } from "../../lib/auth/caller";
import { expensiveFilterFields, type JobCriteria, parseJobFilter, safeParseJobFilter } from "../../lib/filters/job-filter";
import { expensiveFilterSettings, RollingWindowLimiter, spendExpensiveFilter } from "../../lib/server/expensive-filter-limit";

/** A parsed filter is criteria too (its page size and cursors are ignored). */
const criteria = (input: Record<string, unknown>): JobCriteria => parseJobFilter(input);

describe("expensiveFilterFields", () => {
  it("names the unindexed filters: payload, error text and prefix, worker, since", () => {
    expect(expensiveFilterFields(criteria({ payload: '{"a":1}', errorContains: "x", errorPrefix: "E", worker: "w1", since: "1h" }))).toEqual([
      "payload",
      "errorContains",
      "errorPrefix",
      "worker",
      "since",
    ]);
  });

  it("indexed filters are cheap: state, kind, queue, campaign, created/finished ranges", () => {
    expect(expensiveFilterFields(criteria({ state: "dead,failed", kind: "k", queue: "q", campaign: "3", createdSince: "2d", finishedUntil: "1h" }))).toEqual([]);
    expect(expensiveFilterFields(criteria({}))).toEqual([]);
  });

  it("an id makes any filter one row", () => {
    expect(expensiveFilterFields(criteria({ id: "42", payload: '{"a":1}' }))).toEqual([]);
  });
});

describe("filter input sizes", () => {
  it("a payload filter over 1,000 characters is refused, naming the limit", () => {
    const long = JSON.stringify({ note: "x".repeat(1_000) });
    const r = safeParseJobFilter({ payload: long });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues).toEqual([{ field: "payload", message: expect.stringContaining("longer than 1,000 characters") }]);
    expect(safeParseJobFilter({ payload: JSON.stringify({ note: "x".repeat(900) }) }).ok).toBe(true);
    // The same cap for an object (the API's form).
    expect(safeParseJobFilter({ payload: { note: "x".repeat(1_000) } }).ok).toBe(false);
  });

  it("an error-text filter over 500 characters is refused, naming the limit", () => {
    const r = safeParseJobFilter({ errorContains: "x".repeat(501) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues[0]).toEqual({ field: "errorContains", message: expect.stringContaining("longer than 500 characters") });
    expect(safeParseJobFilter({ errorContains: "x".repeat(500) }).ok).toBe(true);
  });
});

describe("RollingWindowLimiter", () => {
  it("allows `limit` hits per window per key, says how long to wait, and frees hits as they age out", () => {
    let now = 1_000_000;
    const l = new RollingWindowLimiter(3, 10_000, () => now);
    expect([l.take("a"), l.take("a"), l.take("a")]).toEqual([0, 0, 0]);
    expect(l.take("b")).toBe(0); // another caller has a budget of its own
    now += 4_000;
    expect(l.take("a")).toBe(6_000); // the first hit ages out 10 s after it was taken
    expect(l.take("a")).toBe(6_000); // a refused hit is not recorded
    now += 6_000; // all three aged out
    expect([l.take("a"), l.take("a"), l.take("a")]).toEqual([0, 0, 0]);
    expect(l.take("a")).toBe(10_000);
  });
});

describe("spendExpensiveFilter", () => {
  const alice: Caller = { name: "alice@example.com", roles: ["viewer"], source: "session" };
  const token: Caller = { name: "token:grafana", roles: ["viewer"], source: "token", tokenId: 7, scopes: ["jobs:read"] };

  it("only expensive filters spend; the refusal names the filters (as the caller spells them) and the wait", () => {
    let now = 0;
    const budget = new RollingWindowLimiter(1, 60_000, () => now);
    const cheap = criteria({ state: "dead" });
    for (let i = 0; i < 5; i++) expect(spendExpensiveFilter(alice, cheap, undefined, budget)).toBeNull();
    expect(spendExpensiveFilter(alice, criteria({ errorPrefix: "ECONN" }), undefined, budget)).toBeNull();
    now = 15_000;
    const r = spendExpensiveFilter(alice, criteria({ errorPrefix: "ECONN", payload: "{}" }), (f) => (f === "errorPrefix" ? "error_prefix" : f), budget);
    expect(r).toMatchObject({ retryAfterSeconds: 45, fields: ["payload", "error_prefix"] });
    expect(r?.message).toMatch(/too many searches by payload, error_prefix: .* at most 1 of them every 60 s; try again in 45 s/);
    // A token is a caller of its own.
    expect(spendExpensiveFilter(token, criteria({ errorPrefix: "ECONN" }), undefined, budget)).toBeNull();
  });

  it("reads its settings from the environment; 0 turns it off; nonsense is an error naming the variable", () => {
    expect(expensiveFilterSettings({})).toEqual({ limit: 60, windowSeconds: 60 });
    expect(expensiveFilterSettings({ JOBDECK_EXPENSIVE_FILTER_LIMIT: "0", JOBDECK_EXPENSIVE_FILTER_WINDOW_SECONDS: "10" })).toEqual({ limit: 0, windowSeconds: 10 });
    expect(() => expensiveFilterSettings({ JOBDECK_EXPENSIVE_FILTER_LIMIT: "lots" })).toThrow(/JOBDECK_EXPENSIVE_FILTER_LIMIT/);
    expect(() => expensiveFilterSettings({ JOBDECK_EXPENSIVE_FILTER_WINDOW_SECONDS: "0" })).toThrow(/JOBDECK_EXPENSIVE_FILTER_WINDOW_SECONDS/);
  });
});
