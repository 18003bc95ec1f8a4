"use client";
// The Jobs filter bar. A plain GET form on /jobs (works before hydration too); with JavaScript it
// drops empty fields so the URL stays short and shareable, and navigates client-side. Invalid
// fields (reported by the server's parse of the URL) are marked next to their input.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId } from "react";
import { withSource } from "../sources/source-href";
import { FILTER_LABELS } from "./filter-labels";

/** Raw URL values of the filter fields, as typed (state may repeat). */
export type FilterValues = Partial<Record<string, string | string[]>>;

export interface FilterIssue {
  field: string;
  message: string;
}

const STATE_OPTIONS = [
  { value: "pending", label: "pending" },
  { value: "running", label: "running" },
  { value: "failed", label: "retrying (failed)" },
  { value: "dead", label: "dead" },
  { value: "cancelled", label: "cancelled" },
  { value: "completed", label: "completed" },
] as const;


/** URL field → the JobCriteria field a source may not support, and back. */
const FIELD_CRITERIA: Record<string, string> = { campaign: "campaignId", since: "sinceSeconds", payload: "payloadContains" };
const URL_FIELD: Record<string, string> = Object.fromEntries(Object.entries(FIELD_CRITERIA).map(([u, c]) => [c, u]));

const ADVANCED = ["since", "createdSince", "createdUntil", "finishedSince", "finishedUntil", "errorPrefix", "errorContains", "payload", "campaign"];

function first(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[v.length - 1] ?? "") : (v ?? "");
}

export function FilterBar({
  values,
  issues,
  source = "jobdeck",
  unsupported = {},
}: {
  values: FilterValues;
  issues: FilterIssue[];
  /** The source listed: kept in the URL (a hidden field), so filtering never switches source. */
  source?: string;
  /** Filter fields this source cannot apply, with why: shown disabled with the reason. */
  unsupported?: Partial<Record<string, string>>;
}) {
  const router = useRouter();
  const baseId = useId();
  const errorsFor = (field: string) => issues.filter((i) => i.field === field);
  const states = new Set(
    ([] as string[])
      .concat(values.state ?? [])
      .flatMap((s) => s.split(","))
      .map((s) => s.trim().toLowerCase()),
  );
  const advancedOpen = ADVANCED.some((f) => first(values[f]) !== "" || errorsFor(f).length > 0);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const sp = new URLSearchParams();
    const picked = fd.getAll("state").filter((v): v is string => typeof v === "string" && v !== "");
    if (picked.length) sp.set("state", picked.join(","));
    for (const [k, v] of fd.entries()) {
      if (k === "state" || typeof v !== "string") continue;
      const t = k === "errorPrefix" || k === "errorContains" ? v : v.trim();
      if (t !== "") sp.set(k, t);
    }
    const qs = sp.toString();
    router.push(withSource(qs ? `/jobs?${qs}` : "/jobs", source));
  }

  const field = (name: string, opts: { placeholder?: string; className?: string; mono?: boolean; inputMode?: "numeric" } = {}) => {
    const id = `${baseId}-${name}`;
    const errs = errorsFor(name);
    const errId = `${id}-err`;
    const why = unsupported[FIELD_CRITERIA[name] ?? name];
    const noteId = `${id}-note`;
    return (
      <div className={`flex min-w-0 flex-col gap-0.5 ${opts.className ?? ""}`}>
        <label htmlFor={id} className="text-[11px] font-medium text-muted">{FILTER_LABELS[name]}</label>
        <input
          id={id}
          name={name}
          defaultValue={first(values[name])}
          placeholder={opts.placeholder}
          inputMode={opts.inputMode}
          aria-invalid={errs.length ? true : undefined}
          aria-describedby={errs.length ? errId : why ? noteId : undefined}
          disabled={why !== undefined && first(values[name]) === ""}
          title={why}
          autoComplete="off"
          spellCheck={false}
          className={`h-7 rounded border bg-bg px-2 text-sm placeholder:text-muted/80 ${opts.mono ? "font-mono text-xs" : ""} ${errs.length ? "border-bad" : "border-border"}`}
        />
        {errs.length ? (
          <p id={errId} className="text-[11px] text-bad" data-testid={`filter-error-${name}`}>{errs.map((e) => e.message).join("; ")}</p>
        ) : why ? (
          <p id={noteId} className="sr-only">{why}</p>
        ) : null}
      </div>
    );
  };

  const stateErrs = errorsFor("state");
  return (
    <form
      role="search"
      aria-label="Filter jobs"
      method="get"
      action="/jobs"
      onSubmit={onSubmit}
      className="flex flex-col gap-2 rounded-md border border-border bg-surface px-3 py-2"
    >
      <div className="flex flex-wrap items-end gap-x-3 gap-y-2">
        <fieldset
          className="flex min-w-0 flex-col gap-0.5"
          aria-invalid={stateErrs.length ? true : undefined}
          aria-describedby={stateErrs.length ? `${baseId}-state-err` : undefined}
        >
          <legend className="text-[11px] font-medium text-muted">State</legend>
          <div className={`flex flex-wrap gap-1 rounded ${stateErrs.length ? "outline outline-1 outline-bad" : ""}`}>
            {STATE_OPTIONS.map((s) => (
              <label
                key={s.value}
                className="flex h-7 cursor-pointer items-center gap-1.5 rounded border border-border bg-bg px-2 text-xs has-[:checked]:border-accent has-[:checked]:bg-surface-2 has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-focus"
              >
                <input type="checkbox" name="state" value={s.value} defaultChecked={states.has(s.value)} className="accent-accent" />
                {s.label}
              </label>
            ))}
          </div>
          {stateErrs.length ? (
            <p id={`${baseId}-state-err`} className="text-[11px] text-bad" data-testid="filter-error-state">{stateErrs.map((e) => e.message).join("; ")}</p>
          ) : null}
        </fieldset>
        {field("kind", { placeholder: "send_email", className: "w-40", mono: true })}
        {field("queue", { placeholder: "default", className: "w-32", mono: true })}
        {field("worker", { placeholder: "worker id", className: "w-36", mono: true })}
        {field("id", { placeholder: "123", className: "w-24", mono: true, inputMode: "numeric" })}
        <div className="ml-auto flex items-end gap-2">
          <Link href={withSource("/jobs", source)} className="inline-flex h-7 items-center rounded border border-border px-2.5 text-sm text-muted hover:bg-surface-2 hover:text-fg">
            Clear
          </Link>
          <button type="submit" className="h-7 rounded border border-accent bg-accent px-3 text-sm font-semibold text-accent-fg hover:opacity-90">
            Apply filters
          </button>
        </div>
      </div>
      <details open={advancedOpen} className="group">
        <summary className="w-fit cursor-pointer select-none text-xs text-muted hover:text-fg">
          More filters: time ranges, error text, payload, campaign
        </summary>
        <div className="mt-2 grid grid-cols-2 gap-x-3 gap-y-2 md:grid-cols-3 xl:grid-cols-5">
          {field("since", { placeholder: "10h, 2d", mono: true })}
          {field("createdSince", { placeholder: "2d or 2025-06-01", mono: true })}
          {field("createdUntil", { placeholder: "1h or 2025-06-02T12:00", mono: true })}
          {field("finishedSince", { placeholder: "30m", mono: true })}
          {field("finishedUntil", { placeholder: "2025-06-01", mono: true })}
          {field("errorPrefix", { placeholder: "ECONNRESET", mono: true })}
          {field("errorContains", { placeholder: "timeout", mono: true })}
          {field("payload", { placeholder: '{"user_id": 42}', mono: true, className: "col-span-2" })}
          {field("campaign", { placeholder: "7", mono: true, inputMode: "numeric" })}
        </div>
        <p className="mt-1 text-[11px] text-muted">
          Times: a duration ago (<span className="font-mono">45s</span>, <span className="font-mono">30m</span>, <span className="font-mono">10h</span>,{" "}
          <span className="font-mono">2d</span>) or a UTC date (<span className="font-mono">2025-06-01</span>,{" "}
          <span className="font-mono">2025-06-01T12:00</span>). Error prefix is case-sensitive; contains is not.
        </p>
      </details>
      {first(values.limit) ? <input type="hidden" name="limit" value={first(values.limit)} /> : null}
      {source !== "jobdeck" ? <input type="hidden" name="source" value={source} /> : null}
      {Object.keys(unsupported).length ? (
        <p className="text-[11px] text-muted" data-testid="filters-unsupported">
          Not available for {source}:{" "}
          {Object.entries(unsupported).map(([f, why], i) => (
            <span key={f}>{i ? " · " : ""}<span className="font-medium">{FILTER_LABELS[URL_FIELD[f] ?? f] ?? f}</span> — {why}</span>
          ))}
        </p>
      ) : null}
    </form>
  );
}
