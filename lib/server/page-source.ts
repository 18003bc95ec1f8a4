// The source a page shows (`?source=`), with its info, read once per request; and what its
// capability set means for the page: bulk actions not offered (with why) and filters it cannot
// apply (reported next to their input, like an invalid filter, before anything is queried).
import "server-only";
import { cache } from "react";
import type { FilterIssue } from "@/components/jobs/filter-bar";
import type { UnsupportedActions } from "@/components/jobs/bulk-actions";
import type { JobCriteria } from "@/lib/filters/job-filter";
import { type Source, type SourceInfo, UnknownSourceError } from "@/lib/sources/types";
import { sourceFromParam } from "./sources";

export type PageSource = { ok: true; source: Source; info: SourceInfo } | { ok: false; error: UnknownSourceError };

export const pageSource = cache(async (param: string | string[] | undefined): Promise<PageSource> => {
  try {
    const source = await sourceFromParam(param);
    return { ok: true, source, info: await source.info() };
  } catch (err) {
    if (err instanceof UnknownSourceError) return { ok: false, error: err };
    throw err;
  }
});

export function unsupportedActions(info: SourceInfo): UnsupportedActions {
  const why = (c: keyof SourceInfo["capabilities"]) => {
    const cap = info.capabilities[c];
    return cap.supported ? undefined : cap.reason;
  };
  return { retry: why("retry"), cancel: why("cancel"), setPriority: why("priority"), runNow: why("runNow") };
}

/** Set when the source can change nothing at all. */
export function readOnlyReason(info: SourceInfo): string | null {
  if (info.readOnly) return info.readOnlyReason ?? "the source is read-only";
  return Object.values(unsupportedActions(info)).every(Boolean) ? (unsupportedActions(info).retry ?? null) : null;
}

/** Criteria field → its name in the URL and the filter bar. */
const URL_FIELD: Record<string, string> = { campaignId: "campaign", sinceSeconds: "since", payloadContains: "payload" };

export function unsupportedFilterIssues(info: SourceInfo, criteria: JobCriteria): FilterIssue[] {
  return Object.entries(info.unsupportedFilters)
    .filter(([field]) => (criteria as Record<string, unknown>)[field] !== undefined)
    .map(([field, reason]) => ({ field: URL_FIELD[field] ?? field, message: `not available for source "${info.name}": ${reason}` }));
}
