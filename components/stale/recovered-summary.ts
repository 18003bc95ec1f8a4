// "Recovered 12 jobs: 11 pending, 1 dead" from a recover-stale result.
import { formatCount } from "../format";

export function recoveredSummary(recovered: number, byState: { pending: number; dead: number; cancelled: number }): string {
  const parts = (["pending", "dead", "cancelled"] as const)
    .filter((s) => byState[s] > 0)
    .map((s) => `${formatCount(byState[s])} ${s}`);
  return `Recovered ${formatCount(recovered)} job${recovered === 1 ? "" : "s"}${parts.length ? `: ${parts.join(", ")}` : ""}`;
}
