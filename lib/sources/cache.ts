// A value shared between requests for a few seconds: the first caller computes it, everyone
// else in the window gets the same promise (so N pollers cost one query), and a failure is not
// kept. Summaries of every source go through it; reads of hot queue tables stay cheap.
export function sharedFor<T>(ttlMs: number, compute: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let entry: { at: number; value: Promise<T> } | null = null;
  return () => {
    const t = now();
    if (entry && t - entry.at < ttlMs) return entry.value;
    const value = compute();
    const mine = { at: t, value };
    entry = mine;
    value.catch(() => {
      if (entry === mine) entry = null;
    });
    return value;
  };
}
