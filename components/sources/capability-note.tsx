// Where a source cannot do something, the one sentence that says why, shown where the operator
// looks for it (instead of a button or a section). Plain text: reasons come from adapters.
import type { CapabilityState } from "@/lib/sources/types";

export function CapabilityNote({ capability, source, testId }: { capability: CapabilityState; source: string; testId?: string }) {
  if (capability.supported) return null;
  return (
    <p className="rounded-md border border-border bg-surface-2 px-3 py-2 text-sm text-muted" data-testid={testId ?? "capability-note"}>
      <span className="font-semibold text-fg">{source}:</span> {capability.reason}
    </p>
  );
}
