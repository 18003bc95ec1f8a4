// Small helpers for the demo workload: seeded-looking randomness and abortable sleeps.
export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
export const between = (min: number, max: number): number => min + Math.random() * (max - min);
export const chance = (p: number): boolean => Math.random() < p;
export const hex = (n: number): string =>
  Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error(`aborted: ${String(signal.reason)}`));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error(`aborted: ${String(signal?.reason)}`));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** An Error whose first line reads `${name}: ${message}`, like the ones real clients throw. */
export class DemoError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
