// A job of another source (pg-boss, graphile-worker) on its page: what to do (the adapter's hint
// and the actions its capabilities allow), every field with the library's own state beside
// Jobdeck's, the library-specific fields, the full last error, payload and result (secret values
// masked unless the caller may see them), attempts where the library keeps them (else why not),
// and the job's audit trail. Everything from the job is user data and renders as text.
import Link from "next/link";
import type { ReactNode } from "react";
import type { AuditEventRow } from "@/lib/queries/audit";
import type { Redaction } from "@/lib/redact";
import type { CapabilitySet, SourceJobDetail } from "@/lib/sources/types";
import { AuditTable } from "../audit/audit-table";
import { formatCount, formatDuration } from "../format";
import { Panel } from "../overview/panel";
import { CapabilityNote } from "../sources/capability-note";
import { jobLabel, withSource } from "../sources/source-href";
import { StateBadge } from "../state-badge";
import { Field, When, YesNo } from "./detail-parts";
import { type Kind, JobActions } from "./job-actions";
import { JsonBlock } from "./json-block";
import { SourceJobLinks, SourceJobTimeline } from "./source-job-related";

function hintTone(d: SourceJobDetail): string {
  if (d.isStale || d.job.state === "dead") return "border-bad bg-bad-bg text-bad";
  if (d.job.state === "failed") return "border-warn bg-warn-bg text-warn";
  if (d.job.state === "completed") return "border-ok bg-ok-bg text-ok";
  return "border-info bg-info-bg text-info";
}

export interface SourceJobDetailViewProps {
  detail: SourceJobDetail;
  source: string;
  library: string;
  capabilities: CapabilitySet;
  audit: { events: AuditEventRow[]; total: number } | null;
  redaction: Redaction;
  /** The library's own operations for this job (Celery: terminate), beside the shared actions. */
  extraActions?: ReactNode;
}

export function SourceJobDetailView({ detail: d, source, library, capabilities, audit, redaction, extraActions }: SourceJobDetailViewProps) {
  const j = d.job;
  const now = new Date(d.now).getTime();
  const label = jobLabel(j.key);
  const why = (c: keyof CapabilitySet) => (capabilities[c].supported ? undefined : (capabilities[c] as { reason: string }).reason);
  const unsupported: Partial<Record<Kind, string>> = { retry: why("retry"), cancel: why("cancel"), priority: why("priority"), runNow: why("runNow"), recover: why("recoverStale") };
  const auditHref = withSource(`/audit?key=${encodeURIComponent(j.key)}`, source);

  return (
    <div className="flex flex-col gap-4">
      <section aria-labelledby="hint-title" className={`rounded-md border px-4 py-3 ${hintTone(d)}`} data-testid="recovery-hint">
        <h2 id="hint-title" className="text-xs font-semibold uppercase tracking-wide">What to do</h2>
        <p className="mt-1 text-[15px] font-medium">{d.recoveryHint}</p>
        <div className="mt-3 text-fg">
          <JobActions
            jobKey={j.key}
            label={label}
            source={source}
            library={library}
            unsupported={unsupported}
            state={j.state}
            priority={j.priority}
            canRetry={d.canRetry}
            isStale={d.isStale}
            runAtInFuture={j.runAt != null && new Date(j.runAt).getTime() > now}
            cancelRequested={j.cancelRequested}
            offlineWorker={null}
          />
          {extraActions ? <div className="mt-2">{extraActions}</div> : null}
        </div>
      </section>

      <div className="grid gap-4 lg:grid-cols-2">
        <Panel id="fields" title="Job">
          <dl className="py-1" data-testid="job-fields">
            <Field label="Key"><span className="break-all font-mono text-xs">{j.key}</span></Field>
            <Field label="State" testId="field-state">
              <span className="flex flex-wrap items-center gap-1.5">
                <StateBadge state={d.isStale ? "stale" : j.state} />
                <span className="font-mono text-xs text-muted" data-testid="field-native-state">{library}: {j.nativeState}</span>
              </span>
            </Field>
            <Field label="Kind"><span className="font-mono">{j.kind}</span></Field>
            <Field label="Queue"><span className="font-mono">{j.queue || "—"}</span></Field>
            <Field label="Priority"><span className="tabular">{j.priority}</span> <span className="text-xs text-muted">(higher runs first)</span></Field>
            <Field label="Attempts">
              <span className="tabular">{formatCount(j.attempts)}{j.maxAttempts == null ? "" : ` of ${formatCount(j.maxAttempts)}`}</span>
            </Field>
            <Field label="Created"><When date={j.createdAt} now={now} /></Field>
            <Field label={j.state === "pending" || j.state === "failed" ? "Runs at" : "Run at"}><When date={j.runAt} now={now} /></Field>
            <Field label="Started"><When date={j.startedAt} now={now} /></Field>
            <Field label="Finished"><When date={j.finishedAt} now={now} /></Field>
            <Field label="Runtime">{j.runtimeMs == null ? <span className="text-muted">—</span> : <span className="tabular">{formatDuration(j.runtimeMs / 1000)}</span>}</Field>
            <Field label="Worker" testId="field-locked-by">{j.worker ? <span className="font-mono text-xs">{j.worker}</span> : <span className="text-muted">—</span>}</Field>
            <Field label="Locked until" testId="field-locked-until"><When date={j.lockedUntil} now={now} /></Field>
            <Field label="Stale" testId="field-is-stale"><YesNo value={d.isStale} yes="yes: its lock expired" no="no" bad /></Field>
            {d.extra.map((x) => (
              <Field key={x.label} label={x.label}><span className="break-words font-mono text-xs">{x.value}</span></Field>
            ))}
          </dl>
        </Panel>

        <Panel
          id="error"
          title="Last error"
          note={j.lastError ? `${formatCount(j.lastError.split("\n").length)} line${j.lastError.includes("\n") ? "s" : ""}` : undefined}
        >
          {j.lastError ? (
            <div className="p-3">
              <pre data-testid="last-error" tabIndex={0} aria-label="Last error"
                className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-words rounded border border-bad/40 bg-bg px-3 py-2 font-mono text-xs leading-relaxed text-bad">
                {j.lastError}
              </pre>
            </div>
          ) : <p className="px-3 py-4 text-sm text-muted">No error recorded.</p>}
        </Panel>
      </div>

      <div className="grid gap-4 lg:grid-cols-2">
        <Panel
          id="payload"
          title="Payload"
          note={<span data-testid="redaction-note">{redaction.redacted ? "Secret values (payload and result) shown as ••••" : "Secret values not masked"}</span>}
        >
          <div className="p-3"><JsonBlock value={redaction.json(j.payload)} label="Payload JSON" testId="payload" /></div>
        </Panel>
        <Panel id="result" title="Result">
          {j.result == null ? (
            <p className="px-3 py-4 text-sm text-muted">{j.state === "completed" ? "The handler returned nothing." : "No result recorded."}</p>
          ) : <div className="p-3"><JsonBlock value={redaction.json(j.result)} label="Result JSON" testId="result" /></div>}
        </Panel>
      </div>

      <Panel id="attempts" title="Attempt history">
        {d.attempts == null ? (
          <div className="p-3"><CapabilityNote capability={capabilities.attempts} source={source} /></div>
        ) : (
          <ul className="divide-y divide-border text-sm">
            {d.attempts.map((a) => (
              <li key={a.attempt} className="flex flex-wrap gap-3 px-3 py-1.5">
                <span className="tabular">#{a.attempt}</span>
                <span className="font-mono text-xs">{a.worker ?? "—"}</span>
                <When date={a.startedAt} now={now} />
                <span>{a.outcome ?? "running"}</span>
                {a.error ? <span className="truncate font-mono text-xs text-bad" title={a.error}>{a.error.split("\n")[0]}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </Panel>

      {d.links?.length ? <SourceJobLinks links={d.links} source={source} /> : null}
      {d.timeline ? <SourceJobTimeline timeline={d.timeline} library={library} /> : null}

      {audit ? (
        <Panel id="audit" title="Audit trail" note={<>{formatCount(audit.total)} entr{audit.total === 1 ? "y" : "ies"} · <Link href={auditHref} className="text-accent underline">open in the audit log</Link></>}>
          {audit.events.length ? (
            <div className="p-3" data-testid="job-audit">
              <AuditTable events={audit.events} now={now} showTargets={false} caption={`Audit entries for job ${label} of ${source}, newest first`} />
            </div>
          ) : (
            <p className="px-3 py-4 text-sm text-muted" data-testid="job-audit-empty">No one has changed this job from Jobdeck yet.</p>
          )}
        </Panel>
      ) : null}
    </div>
  );
}
