// A state shown with colour AND text (and a shape), so it reads without colour vision too.
export type Tone = "ok" | "info" | "run" | "warn" | "bad" | "idle";

const TONES: Record<Tone, string> = {
  ok: "bg-ok-bg text-ok",
  info: "bg-info-bg text-info",
  run: "bg-run-bg text-run",
  warn: "bg-warn-bg text-warn",
  bad: "bg-bad-bg text-bad",
  idle: "bg-idle-bg text-idle",
};

const SHAPES: Record<Tone, string> = { ok: "●", info: "◆", run: "▶", warn: "▲", bad: "■", idle: "○" };

/** Tone and label for job states, worker statuses and campaign states. */
const STATES: Record<string, { tone: Tone; label: string }> = {
  pending: { tone: "info", label: "pending" },
  ready: { tone: "info", label: "ready" },
  scheduled: { tone: "idle", label: "scheduled" },
  running: { tone: "run", label: "running" },
  completed: { tone: "ok", label: "completed" },
  failed: { tone: "warn", label: "retrying" },
  retrying: { tone: "warn", label: "retrying" },
  dead: { tone: "bad", label: "dead" },
  cancelled: { tone: "idle", label: "cancelled" },
  stale: { tone: "bad", label: "stale" },
  online: { tone: "ok", label: "online" },
  offline: { tone: "bad", label: "offline" },
  stopped: { tone: "idle", label: "stopped" },
  paused: { tone: "warn", label: "paused" },
};

export function StateBadge({ state, label }: { state: string; label?: string }) {
  const s = STATES[state] ?? { tone: "idle" as Tone, label: state };
  return (
    <span className={`inline-flex items-center gap-1 whitespace-nowrap rounded px-1.5 py-px text-[11px] font-semibold uppercase tracking-wide ${TONES[s.tone]}`}>
      <span aria-hidden="true" className="text-[9px]">{SHAPES[s.tone]}</span>
      {label ?? s.label}
    </span>
  );
}
