// The per-source circuit breaker: opens after repeated outages, fails fast while open, lets one
// probe through after the cool-down, and ignores errors that prove the server answered.
import { describe, expect, it } from "vitest";
import { BreakerOpenError, CircuitBreaker } from "../../lib/sources/breaker";

const outage = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
const sqlError = Object.assign(new Error('relation "x" does not exist'), { code: "42P01" });
const isOutage = (e: unknown) => (e as { code?: string }).code === "ECONNREFUSED";

describe("CircuitBreaker", () => {
  it("opens after 3 outages, fails fast, half-opens after the cool-down and closes on success", async () => {
    let t = 0;
    const b = new CircuitBreaker(3, 10_000, () => t);
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(outage);
    };
    for (let i = 0; i < 3; i++) await expect(b.run(failing, isOutage)).rejects.toBe(outage);
    expect(b.state).toBe("open");
    await expect(b.run(failing, isOutage)).rejects.toBeInstanceOf(BreakerOpenError);
    expect(calls).toBe(3);
    t = 10_000;
    expect(b.state).toBe("half-open");
    await expect(b.run(failing, isOutage)).rejects.toBe(outage);
    expect(b.state).toBe("open");
    t = 20_000;
    await expect(b.run(() => Promise.resolve(42), isOutage)).resolves.toBe(42);
    expect(b.state).toBe("closed");
  });

  it("does not count SQL errors: the server answered", async () => {
    const b = new CircuitBreaker(2, 10_000, () => 0);
    for (let i = 0; i < 5; i++) await expect(b.run(() => Promise.reject(sqlError), isOutage)).rejects.toBe(sqlError);
    expect(b.state).toBe("closed");
  });
});
