"use client";
// The header's source picker: which job system every page shows. Switching keeps the section
// (a job detail page goes back to that section's list, since a job belongs to one source) and
// drops the filter and paging of the old source. Only shown when more than one source exists.
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { NATIVE, withSource } from "./source-href";

export interface SourceChoice {
  name: string;
  kind: string;
}

function sectionOf(pathname: string): string {
  const first = pathname.split("/")[1] ?? "";
  return first === "sources" ? "/" : `/${first}`;
}

export function SourceSwitcher({ sources }: { sources: SourceChoice[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  if (sources.length < 2) return null;
  const current = params.get("source") || NATIVE;
  return (
    <label className="flex items-center gap-1.5 text-xs text-muted">
      <span>Source</span>
      <select
        className="rounded border border-border bg-surface px-1.5 py-1 text-sm text-fg"
        value={current}
        data-testid="source-switcher"
        onChange={(e) => router.push(withSource(sectionOf(pathname), e.target.value))}
      >
        {sources.map((s) => (
          <option key={s.name} value={s.name}>
            {s.name} ({s.kind === "jobdeck" ? "native" : s.kind})
          </option>
        ))}
      </select>
    </label>
  );
}
