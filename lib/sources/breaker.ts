// A small circuit breaker per foreign source: after `threshold` consecutive failures to reach the
// source it opens, and calls fail at once (no pile-up of 5-second connect timeouts on every page
// view) until `coolDownMs` has passed; then one call is let through (half-open) and its outcome
// closes or re-opens it. Query errors that prove the server answered (SQL errors) count as success.
export type BreakerState = "closed" | "open" | "half-open";

export class BreakerOpenError extends Error {
  constructor(
    readonly lastError: string,
    readonly retryInMs: number,
  ) {
    super(`not asked again for ${Math.ceil(retryInMs / 1000)} s after repeated failures (${lastError})`);
    this.name = "BreakerOpenError";
  }
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;
  private lastError = "";

  constructor(
    private readonly threshold = 3,
    private readonly coolDownMs = 15_000,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === null) return "closed";
    return this.now() - this.openedAt >= this.coolDownMs ? "half-open" : "open";
  }

  /** Runs `fn` unless the breaker is open; `isOutage` says which errors mean "unreachable". */
  async run<T>(fn: () => Promise<T>, isOutage: (err: unknown) => boolean): Promise<T> {
    const state = this.state;
    if (state === "open" || (state === "half-open" && this.probing)) {
      throw new BreakerOpenError(this.lastError, Math.max(0, this.coolDownMs - (this.now() - (this.openedAt ?? 0))));
    }
    if (state === "half-open") this.probing = true;
    try {
      const out = await fn();
      this.failures = 0;
      this.openedAt = null;
      return out;
    } catch (err) {
      if (isOutage(err)) {
        this.failures += 1;
        this.lastError = String((err as Error)?.message ?? err).split("\n")[0].slice(0, 200);
        if (this.failures >= this.threshold || state === "half-open") this.openedAt = this.now();
      } else {
        this.failures = 0;
        this.openedAt = null;
      }
      throw err;
    } finally {
      if (state === "half-open") this.probing = false;
    }
  }
}
