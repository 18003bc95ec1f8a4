// What a source records beside a job's fields, where it records it: the jobs it is linked to
// (Celery: its root and parent, the task it re-sent or was re-sent as) and its event timeline
// (Celery's task events, oldest first). Server component; every value is user data, shown as text.
import Link from "next/link";
import type { SourceJobDetail } from "@/lib/sources/types";
import { formatCount } from "../format";
import { Panel } from "../overview/panel";
import { jobHref, jobLabel } from "../sources/source-href";
import { StateBadge } from "../state-badge";
import { utc } from "./detail-parts";

export function SourceJobLinks({ links, source }: { links: NonNullable<SourceJobDetail["links"]>; source: string }) {
  if (!links.length) return null;
  return (
    <Panel id="links" title="Related jobs">
      <ul className="divide-y divide-border text-sm" data-testid="job-links">
        {links.map((l) => (
          <li key={`${l.label}:${l.key}`} className="flex flex-wrap items-center gap-2 px-3 py-1.5">
            <span className="w-44 text-muted">{l.label}</span>
            <Link href={jobHref(l.key, source)} className="font-mono text-xs text-accent underline" title={l.key}>{jobLabel(l.key)}</Link>
            {l.kind ? <span className="font-mono text-xs">{l.kind}</span> : <span className="text-xs text-muted">not seen by Jobdeck</span>}
            {l.state ? <StateBadge state={l.state} /> : null}
          </li>
        ))}
      </ul>
    </Panel>
  );
}

export function SourceJobTimeline({ timeline, library }: { timeline: NonNullable<SourceJobDetail["timeline"]>; library: string }) {
  return (
    <Panel id="timeline" title="Events" note={`${formatCount(timeline.length)} recorded by ${library}, oldest first`}>
      {timeline.length === 0 ? (
        <p className="px-3 py-4 text-sm text-muted">No event of this job was recorded.</p>
      ) : (
        <ol className="divide-y divide-border text-sm" data-testid="job-timeline">
          {timeline.map((e, i) => (
            <li key={i} className="flex flex-wrap gap-x-3 px-3 py-1.5" data-testid="timeline-event">
              <span className="tabular text-xs text-muted">{utc(new Date(e.at)).replace(" UTC", "")}.{e.at.slice(20, 23)}</span>
              <span className="font-mono text-xs font-semibold">{e.type}</span>
              {e.worker ? <span className="font-mono text-xs">{e.worker}</span> : null}
              {e.detail ? <span className="min-w-0 break-words font-mono text-xs text-muted">{e.detail}</span> : null}
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
