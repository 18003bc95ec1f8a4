// A source's notices (SourceInfo.notices) as banners at the top of each of its pages: what an
// operator must know before trusting what the page shows — for a Celery source, that the bridge
// has heard nothing since 10:02, or missed events between two times. Plain text from adapters.
import type { SourceInfo } from "@/lib/sources/types";

const TONE = {
  bad: "border-bad bg-bad-bg text-bad",
  warn: "border-warn bg-warn-bg text-warn",
  info: "border-border bg-surface-2 text-muted",
} as const;

export function SourceNotices({ info }: { info: SourceInfo }) {
  const notices = info.notices ?? [];
  if (!notices.length) return null;
  return (
    <div className="flex flex-col gap-2" data-testid="source-notices">
      {notices.map((n, i) => (
        // Only a notice that says the page is not current interrupts a screen reader.
        <p key={i} role={n.tone === "bad" ? "alert" : undefined} className={`rounded-md border px-3 py-2 text-sm ${TONE[n.tone]}`} data-testid={`source-notice-${n.tone}`}>
          <span className="font-semibold">{info.name}:</span> {n.text}
        </p>
      ))}
    </div>
  );
}
