// The job detail page's body: what to do (recovery hint and actions), every field, lock info,
// links to campaign, parent and children, the full last error, payload and result, and the
// attempt history, and the job's audit trail. Everything from the job is user data and renders as
// text; payload and result keys named in JOBDECK_REDACT_KEYS show as "••••" unless the page's
// caller may see secrets (the page passes redactionFor(caller), lib/auth/caller).
import Link from "next/link";
import type { AuditEventRow } from "@/lib/queries/audit";
import { ACTIVE_STATES, type JobDetail } from "@/lib/queries/job-detail";
import { JOB_STATES } from "@/lib/queue/state-machine";
import type { Redaction } from "@/lib/redact";
import { AuditTable } from "../audit/audit-table";
import { formatCount, formatDuration } from "../format";
import { Panel } from "../overview/panel";
import { StateBadge } from "../state-badge";
import { AttemptsTimeline } from "./attempts-timeline";
import { JobActions } from "./job-actions";
import { Field, When, YesNo } from "./detail-parts";
import { JsonBlock } from "./json-block";

export function workerHref(id: string): string {
  return `/workers#${encodeURIComponent(`worker-${id}`)}`;
}

function hintTone(d: JobDetail): string {
  if (d.is_stale || d.job.state === "dead" || (d.job.state === "running" && d.worker_online === false)) return "border-bad bg-bad-bg text-bad";
  if (d.job.state === "failed") return "border-warn bg-warn-bg text-warn";
  if (d.job.state === "completed") return "border-ok bg-ok-bg text-ok";
  return "border-info bg-info-bg text-info";
}

export function JobDetailView({ detail: d, audit, redaction }: { detail: JobDetail; audit?: { events: AuditEventRow[]; total: number } | null; redaction: Redaction }) {
  const j = d.job;
  const now = new Date(d.now).getTime();
  const runAtFuture = new Date(j.run_at).getTime() > now;
  const runtime =
    j.started_at != null ? ((j.finished_at ? new Date(j.finished_at).getTime() : now) - new Date(j.started_at).getTime()) / 1000 : null;
  const childStates = JOB_STATES.filter((s) => (d.children.by_state[s] ?? 0) > 0);

  return (
    <div className="flex flex-col gap-4">
      <section aria-labelledby="hint-title" className={`rounded-md border px-4 py-3 ${hintTone(d)}`} data-testid="recovery-hint">
        <h2 id="hint-title" className="text-xs font-semibold uppercase tracking-wide">What to do</h2>
        <p className="mt-1 text-[15px] font-medium">{d.recovery_hint}</p>
        <div className="mt-3 text-fg">
          <JobActions
            jobKey={String(j.id)}
            label={`#${j.id}`}
            source="jobdeck"
            library="jobdeck"
            state={j.state}
            priority={j.priority}
            canRetry={d.can_retry}
            isStale={d.is_stale}
            runAtInFuture={runAtFuture}
            cancelRequested={j.cancel_requested_at != null}
            offlineWorker={j.state === "running" && d.worker_online === false && j.locked_by ? j.locked_by : null}
          />
        </div>
      </section>

      <div className="grid gap-4 lg:grid-cols-2">
        <Panel id="fields" title="Job">
          <dl className="py-1" data-testid="job-fields">
            <Field label="Id"><span className="tabular font-mono">{j.id}</span></Field>
            <Field label="State" testId="field-state"><StateBadge state={j.state} /></Field>
            <Field label="Kind"><span className="font-mono">{j.kind}</span></Field>
            <Field label="Queue"><span className="font-mono">{j.queue}</span></Field>
            <Field label="Priority"><span className="tabular">{j.priority}</span></Field>
            <Field label="Attempts"><span className="tabular">{formatCount(j.attempts)} of {formatCount(j.max_attempts)}</span></Field>
            <Field label="Created"><When date={j.created_at} now={now} /></Field>
            <Field label={j.state === "pending" || j.state === "failed" ? "Runs at" : "Run at"}><When date={j.run_at} now={now} /></Field>
            <Field label="Started"><When date={j.started_at} now={now} /></Field>
            <Field label="Finished"><When date={j.finished_at} now={now} /></Field>
            <Field label="Runtime">
              {runtime == null ? <span className="text-muted">—</span> : <span className="tabular">{formatDuration(runtime)}{j.finished_at ? "" : " so far"}</span>}
            </Field>
            <Field label="Progress">
              {j.progress == null ? <span className="text-muted">—</span> : (
                <span>
                  <span className="tabular">{Math.round(j.progress * 100)}%</span>
                  {j.progress_message ? <span className="text-muted"> · {j.progress_message}</span> : null}
                </span>
              )}
            </Field>
            <Field label="Cancel requested"><When date={j.cancel_requested_at} now={now} /></Field>
            {j.item_key != null ? <Field label="Item key"><span className="font-mono">{j.item_key}</span></Field> : null}
            {j.position != null ? <Field label="Position"><span className="tabular">{formatCount(j.position)}</span></Field> : null}
          </dl>
        </Panel>

        <div className="flex flex-col gap-4">
          <Panel id="lock" title="Lock" note={j.state === "running" ? "the worker holds a lease it must keep extending" : undefined}>
            <dl className="py-1" data-testid="lock-info">
              <Field label="Locked by" testId="field-locked-by">
                {j.locked_by ? (
                  <span>
                    <Link href={workerHref(j.locked_by)} className="font-mono text-accent underline">{j.locked_by}</Link>{" "}
                    {d.worker ? <StateBadge state={d.worker.stopped ? "stopped" : d.worker.online ? "online" : "offline"} /> : <StateBadge state="offline" label="unregistered" />}
                    {d.worker ? (
                      <span className="block text-xs text-muted">
                        {d.worker.hostname} · pid {d.worker.pid} · last heartbeat {formatDuration(d.worker.heartbeat_age_seconds)} ago
                      </span>
                    ) : null}
                  </span>
                ) : <span className="text-muted">— (not locked)</span>}
              </Field>
              <Field label="Locked until" testId="field-locked-until"><When date={j.locked_until} now={now} /></Field>
              <Field label="Last heartbeat"><When date={j.heartbeat_at} now={now} /></Field>
              <Field label="Stale" testId="field-is-stale"><YesNo value={d.is_stale} yes="yes: lease expired" no="no" bad /></Field>
              <Field label="Can retry" testId="field-can-retry"><YesNo value={d.can_retry} yes="yes" no={j.state === "running" ? "no: running jobs are never retried" : "no"} /></Field>
              <Field label="Attempt id"><span className="tabular font-mono">{j.attempt_id ?? "—"}</span></Field>
            </dl>
          </Panel>

          <Panel id="relations" title="Campaign, parent and children">
            <dl className="py-1" data-testid="relations">
              <Field label="Campaign">
                {j.campaign_id != null ? (
                  <span>
                    <Link href={`/jobs?campaign=${j.campaign_id}`} className="text-accent underline">
                      #{j.campaign_id}{d.campaign ? ` ${d.campaign.name}` : ""}
                    </Link>
                    {d.campaign ? <> <StateBadge state={d.campaign.state} /></> : null}
                    <span className="block text-xs text-muted">link lists every job of the campaign</span>
                  </span>
                ) : <span className="text-muted">—</span>}
              </Field>
              <Field label="Parent">
                {j.parent_id != null ? (
                  <span>
                    <Link href={`/jobs/${j.parent_id}`} className="text-accent underline">job #{j.parent_id}</Link>
                    {d.parent ? <> <span className="font-mono text-xs">{d.parent.kind}</span> <StateBadge state={d.parent.state} /></> : <span className="text-xs text-muted"> (no longer exists)</span>}
                  </span>
                ) : <span className="text-muted">—</span>}
              </Field>
              <Field label="Children">
                {d.children.total === 0 ? <span className="text-muted">none</span> : (
                  <span className="flex flex-col gap-1">
                    <span className="tabular">{formatCount(d.children.total)} item jobs</span>
                    <span className="flex flex-wrap gap-1.5" data-testid="children-by-state">
                      {childStates.map((s) => (
                        <Link key={s} href={`/jobs?campaign=${j.campaign_id}&state=${s}`} className="inline-flex items-center gap-1 rounded border border-border px-1.5 py-px text-xs hover:bg-surface-2"
                          aria-label={`${formatCount(d.children.by_state[s] ?? 0)} ${s} (campaign jobs in this state)`}>
                          <StateBadge state={s} /> <span className="tabular">{formatCount(d.children.by_state[s] ?? 0)}</span>
                        </Link>
                      ))}
                    </span>
                  </span>
                )}
              </Field>
            </dl>
          </Panel>
        </div>
      </div>

      <Panel
        id="error"
        title="Last error"
        note={j.last_error ? `${formatCount(j.last_error.split("\n").length)} line${j.last_error.includes("\n") ? "s" : ""}${j.state === "completed" || j.state === "pending" || j.state === "running" ? " · from an earlier attempt" : ""}` : undefined}
      >
        {j.last_error ? (
          <div className="p-3">
            <pre data-testid="last-error" tabIndex={0} aria-label="Last error"
              className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-words rounded border border-bad/40 bg-bg px-3 py-2 font-mono text-xs leading-relaxed text-bad">
              {j.last_error}
            </pre>
          </div>
        ) : <p className="px-3 py-4 text-sm text-muted">No error recorded.</p>}
      </Panel>

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
            <p className="px-3 py-4 text-sm text-muted">{j.state === "completed" ? "The handler returned nothing." : j.state === "dead" || j.state === "cancelled" ? "No result: the job did not complete." : "No result yet."}</p>
          ) : <div className="p-3"><JsonBlock value={redaction.json(j.result)} label="Result JSON" testId="result" /></div>}
        </Panel>
      </div>

      <Panel id="attempts" title="Attempt history" note={`${formatCount(d.attempts_total)} attempt${d.attempts_total === 1 ? "" : "s"} · oldest first`}>
        <AttemptsTimeline attempts={d.attempts} total={d.attempts_total} />
      </Panel>

      {audit ? (
        <Panel
          id="audit"
          title="Audit trail"
          note={
            audit.total > audit.events.length ? (
              <>
                newest {formatCount(audit.events.length)} of {formatCount(audit.total)} ·{" "}
                <Link href={`/audit?job=${j.id}`} className="text-accent underline">all in the audit log</Link>
              </>
            ) : (
              <>
                {formatCount(audit.total)} entr{audit.total === 1 ? "y" : "ies"} · newest first ·{" "}
                <Link href={`/audit?job=${j.id}`} className="text-accent underline">open in the audit log</Link>
              </>
            )
          }
        >
          {audit.events.length ? (
            <div className="p-3" data-testid="job-audit">
              <AuditTable events={audit.events} now={now} showTargets={false} caption={`Audit entries for job #${j.id}, newest first`} />
            </div>
          ) : (
            <p className="px-3 py-4 text-sm text-muted" data-testid="job-audit-empty">No one has changed this job from Jobdeck yet: retries, cancels and priority changes appear here.</p>
          )}
        </Panel>
      ) : null}
    </div>
  );
}

export function isActive(state: string): boolean {
  return (ACTIVE_STATES as readonly string[]).includes(state);
}
