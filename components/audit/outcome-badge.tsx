// An audit event's outcome with colour, a shape and text (readable without colour vision).
import { StateBadge } from "../state-badge";

const OUTCOME_STATE: Record<string, { state: string; label: string }> = {
  ok: { state: "completed", label: "ok" },
  partial: { state: "retrying", label: "partial" },
  refused: { state: "dead", label: "refused" },
  error: { state: "dead", label: "error" },
  // A change on another database whose outcome is not written yet, or never was (see /audit docs).
  pending: { state: "running", label: "pending" },
  unknown: { state: "stale", label: "unknown" },
};

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const o = OUTCOME_STATE[outcome] ?? { state: outcome, label: outcome };
  return <StateBadge state={o.state} label={o.label} />;
}
