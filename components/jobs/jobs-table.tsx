"use client";
// The dense jobs table: a checkbox per row (shift-click selects a range), id linking to the
// detail page, kind, queue, state, attempts/max, priority, worker, age, runtime and the first
// line of the last error. Every value is user data rendered as text, never as HTML. Without
// `selectable` (a viewer: no bulk actions) there is no checkbox column.
import Link from "next/link";
import { useEffect, useRef } from "react";
import { formatCount } from "../format";
import { jobHref, jobLabel } from "../sources/source-href";
import { StateBadge } from "../state-badge";
import { RelativeTime } from "../ui/relative-time";
import { formatRuntime } from "./format-jobs";
import type { JobRowView } from "./types";

const th = "px-2 py-1.5 text-left text-[11px] font-semibold uppercase tracking-wide text-muted whitespace-nowrap";
const thNum = `${th} text-right`;
const td = "px-2 py-1 align-middle";
const tdNum = `${td} tabular text-right whitespace-nowrap`;

export function JobsTable({
  jobs,
  source,
  isSelected,
  allOnPage,
  someOnPage,
  onToggle,
  onTogglePage,
  renderedAt,
  selectable = true,
}: {
  jobs: JobRowView[];
  /** The source listed: links keep it. */
  source: string;
  isSelected: (key: string) => boolean;
  allOnPage: boolean;
  someOnPage: boolean;
  /** range: shift was held (select from the last clicked row to this one). */
  onToggle: (key: string, checked: boolean, range: boolean) => void;
  onTogglePage: (checked: boolean) => void;
  renderedAt: number;
  /** Show the selection checkboxes (the caller may run bulk actions). */
  selectable?: boolean;
}) {
  const headerBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (headerBox.current) headerBox.current.indeterminate = someOnPage && !allOnPage;
  }, [someOnPage, allOnPage]);

  return (
    <div className="overflow-x-auto rounded-md border border-border bg-surface">
      <table className="w-full min-w-[1100px] table-fixed text-sm" data-testid="jobs-table">
        <caption className="sr-only">Jobs matching the filter, newest first</caption>
        <thead className="border-b border-border bg-surface-2/60">
          <tr>
            {selectable ? (
              <th scope="col" className={`${th} w-9`}>
                <input
                  ref={headerBox}
                  type="checkbox"
                  aria-label="Select every job on this page"
                  checked={allOnPage}
                  onChange={(e) => onTogglePage(e.target.checked)}
                  className="h-4 w-4 accent-accent align-middle"
                />
              </th>
            ) : null}
            <th scope="col" className={`${th} w-20`}>Id</th>
            <th scope="col" className={`${th} w-56`}>Kind</th>
            <th scope="col" className={`${th} w-36`}>Queue</th>
            <th scope="col" className={`${th} w-28`}>State</th>
            <th scope="col" className={`${thNum} w-20`} title="attempts / max attempts">Attempts</th>
            <th scope="col" className={`${thNum} w-16`}>Prio</th>
            <th scope="col" className={`${th} w-36`}>Worker</th>
            <th scope="col" className={`${thNum} w-24`} title="since the job was created">Age</th>
            <th scope="col" className={`${thNum} w-20`}>Runtime</th>
            <th scope="col" className={th}>Last error</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {jobs.map((j) => {
            const selected = isSelected(j.key);
            const scheduled = j.state === "pending" && j.runAt != null && Date.parse(j.runAt) > renderedAt + 1_000;
            const label = jobLabel(j.key);
            return (
              <tr
                key={j.key}
                data-testid="job-row"
                data-job-id={j.key}
                data-state={j.state}
                aria-selected={selectable ? selected : undefined}
                className={selected ? "bg-info-bg/60" : "hover:bg-surface-2/70"}
              >
                {selectable ? (
                  <td className={td}>
                    <input
                      type="checkbox"
                      aria-label={`Select job ${label.replace(/^#/, "")}`}
                      checked={selected}
                      onChange={(e) => {
                        const range = (e.nativeEvent as MouseEvent).shiftKey === true;
                        onToggle(j.key, e.target.checked, range);
                      }}
                      className="h-4 w-4 accent-accent align-middle"
                    />
                  </td>
                ) : null}
                <td className={`${td} tabular font-mono text-xs`}>
                  <Link href={jobHref(j.key, source)} title={j.key} className="text-accent underline-offset-2 hover:underline" data-testid="job-link">
                    {label}
                  </Link>
                </td>
                <td className={td}>
                  <div className="truncate font-mono text-xs" title={j.kind} data-col="kind">{j.kind}</div>
                </td>
                <td className={td}>
                  <div className="truncate font-mono text-xs text-muted" title={j.queue} data-col="queue">{j.queue}</div>
                </td>
                <td className={td} data-col="state">
                  <span className="flex flex-wrap items-center gap-1">
                    <StateBadge state={scheduled ? "scheduled" : j.state} label={scheduled ? "scheduled" : undefined} />
                    {j.nativeState !== j.state ? (
                      <span className="font-mono text-[10px] text-muted" title="the state as the job's library names it" data-testid="native-state">{j.nativeState}</span>
                    ) : null}
                    {j.cancelRequested && j.state === "running" ? (
                      <span className="text-[10px] text-warn" title="a cancel was requested; the worker stops at its next heartbeat">cancelling</span>
                    ) : null}
                  </span>
                </td>
                <td className={tdNum} data-col="attempts">
                  {formatCount(j.attempts)}/{j.maxAttempts == null ? "—" : formatCount(j.maxAttempts)}
                </td>
                <td className={tdNum} data-col="priority">{formatCount(j.priority)}</td>
                <td className={td}>
                  <div className="truncate font-mono text-xs" title={j.worker ?? undefined} data-col="worker">
                    {j.worker ?? <span className="text-muted">—</span>}
                  </div>
                </td>
                <td className={tdNum} data-col="age">
                  <RelativeTime date={j.createdAt} now={renderedAt} />
                </td>
                <td className={tdNum} data-col="runtime">{formatRuntime(j.runtimeMs)}</td>
                <td className={td}>
                  <div className="truncate font-mono text-xs text-bad" title={j.errorLine ?? undefined} data-col="error">
                    {j.errorLine ?? <span className="text-muted">—</span>}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
