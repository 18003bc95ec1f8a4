"use client";
// The audit filter bar: a plain GET form on /audit (works before hydration); with JavaScript it
// drops empty fields so the URL stays short and shareable. Invalid fields (from the server's
// parse of the URL) are marked next to their input.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId } from "react";
import { AUDIT_FILTER_LABELS, AUDIT_OUTCOMES } from "@/lib/filters/audit-filter";

export interface AuditFilterIssue {
  field: string;
  message: string;
}

export function AuditFilterBar({ values, issues, actions }: { values: Record<string, string>; issues: AuditFilterIssue[]; actions: string[] }) {
  const router = useRouter();
  const baseId = useId();
  const errorsFor = (field: string) => issues.filter((i) => i.field === field);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const sp = new URLSearchParams();
    for (const [k, v] of new FormData(e.currentTarget).entries()) {
      if (typeof v === "string" && v.trim() !== "") sp.set(k, v.trim());
    }
    const qs = sp.toString();
    router.push(qs ? `/audit?${qs}` : "/audit");
  }

  const field = (name: string, opts: { placeholder?: string; className?: string; mono?: boolean; list?: string; inputMode?: "numeric" } = {}) => {
    const id = `${baseId}-${name}`;
    const errs = errorsFor(name);
    return (
      <div className={`flex min-w-0 flex-col gap-0.5 ${opts.className ?? ""}`}>
        <label htmlFor={id} className="text-[11px] font-medium text-muted">{AUDIT_FILTER_LABELS[name]}</label>
        <input
          id={id}
          name={name}
          defaultValue={values[name] ?? ""}
          placeholder={opts.placeholder}
          list={opts.list}
          inputMode={opts.inputMode}
          aria-invalid={errs.length ? true : undefined}
          aria-describedby={errs.length ? `${id}-err` : undefined}
          autoComplete="off"
          spellCheck={false}
          className={`h-7 rounded border bg-bg px-2 text-sm placeholder:text-muted/80 ${opts.mono ? "font-mono text-xs" : ""} ${errs.length ? "border-bad" : "border-border"}`}
        />
        {errs.length ? (
          <p id={`${id}-err`} className="max-w-[20rem] text-[11px] text-bad" data-testid={`filter-error-${name}`}>{errs.map((x) => x.message).join("; ")}</p>
        ) : null}
      </div>
    );
  };

  const outcomeId = `${baseId}-outcome`;
  const outcomeErrs = errorsFor("outcome");
  return (
    <form role="search" aria-label="Filter audit events" method="get" action="/audit" onSubmit={onSubmit}
      className="flex flex-col gap-1 rounded-md border border-border bg-surface px-3 py-2">
      <div className="flex flex-wrap items-end gap-x-3 gap-y-2">
        {field("actor", { placeholder: "alice@example.com", className: "w-52" })}
        {field("action", { placeholder: "jobs.retry or jobs.*", className: "w-44", mono: true, list: `${baseId}-actions` })}
        <datalist id={`${baseId}-actions`}>
          {actions.map((a) => <option key={a} value={a} />)}
        </datalist>
        <div className="flex min-w-0 flex-col gap-0.5">
          <label htmlFor={outcomeId} className="text-[11px] font-medium text-muted">Outcome</label>
          <select id={outcomeId} name="outcome" defaultValue={values.outcome ?? ""}
            aria-invalid={outcomeErrs.length ? true : undefined}
            aria-describedby={outcomeErrs.length ? `${outcomeId}-err` : undefined}
            className={`h-7 rounded border bg-bg px-1.5 text-sm ${outcomeErrs.length ? "border-bad" : "border-border"}`}>
            <option value="">any</option>
            {AUDIT_OUTCOMES.map((o) => <option key={o} value={o}>{o}</option>)}
          </select>
          {outcomeErrs.length ? <p id={`${outcomeId}-err`} className="text-[11px] text-bad" data-testid="filter-error-outcome">{outcomeErrs.map((x) => x.message).join("; ")}</p> : null}
        </div>
        {field("since", { placeholder: "10h, 2d or 2025-06-01", className: "w-48", mono: true })}
        {field("until", { placeholder: "1h or 2025-06-02", className: "w-48", mono: true })}
        {field("job", { placeholder: "123", className: "w-24", mono: true, inputMode: "numeric" })}
        {field("source", { placeholder: "jobdeck", className: "w-28", mono: true })}
        {field("key", { placeholder: "queue:uuid", className: "w-56", mono: true })}
        <div className="ml-auto flex items-end gap-2">
          <Link href="/audit" className="inline-flex h-7 items-center rounded border border-border px-2.5 text-sm text-muted hover:bg-surface-2 hover:text-fg">Clear</Link>
          <button type="submit" className="h-7 rounded border border-accent bg-accent px-3 text-sm font-semibold text-accent-fg hover:opacity-90">Apply filters</button>
        </div>
      </div>
      <p className="text-[11px] text-muted">
        Actor matches any part, any case. Action is exact, or a prefix ending in <span className="font-mono">*</span>. Times: a duration ago
        (<span className="font-mono">30m</span>, <span className="font-mono">10h</span>, <span className="font-mono">2d</span>) or a UTC date
        (<span className="font-mono">2025-06-01T12:00</span>); since is inclusive, until exclusive.
      </p>
      {values.limit ? <input type="hidden" name="limit" value={values.limit} /> : null}
    </form>
  );
}
