// Building and checking a source's capability set: adapters list only what they cannot do, each
// with the sentence an operator reads; everything else is supported. Pages, API and CLI ask here
// instead of branching on a library's name.
import { CAPABILITIES, type Capability, CapabilityError, type CapabilitySet, type FilterField, type UnsupportedFilters } from "./types";
import type { JobCriteria } from "../filters/job-filter";

export function capabilitySet(missing: Partial<Record<Capability, string>>): CapabilitySet {
  return Object.fromEntries(
    CAPABILITIES.map((c) => [c, missing[c] === undefined ? { supported: true } : { supported: false, reason: missing[c]! }]),
  ) as CapabilitySet;
}

/** The capabilities of a read-only source: every action missing, with why. */
export function withoutActions(set: CapabilitySet, reason: string): CapabilitySet {
  const out = { ...set };
  for (const c of ["retry", "cancel", "priority", "runNow", "recoverStale"] as const) out[c] = { supported: false, reason };
  return out;
}

/** Throws CapabilityError (409 in the API) when `source` cannot do `capability`. */
export function requireCapability(source: string, set: CapabilitySet, capability: Capability): void {
  const c = set[capability];
  if (!c.supported) throw new CapabilityError(source, capability, c.reason);
}

/** Throws CapabilityError for the first filter field of `criteria` the source cannot apply. */
export function requireFilters(source: string, unsupported: UnsupportedFilters, criteria: JobCriteria): void {
  for (const [field, reason] of Object.entries(unsupported) as [FilterField, string][]) {
    if ((criteria as Record<string, unknown>)[field] !== undefined) throw new CapabilityError(source, `filter:${field}`, reason);
  }
}

/**
 * Adapters say why they skipped a job in their own words, starting with one of a few shared
 * prefixes ("running: …", "not found …"): how many were skipped for that reason.
 */
export function countSkipped(skipped: Record<string, number>, prefix: "running" | "not found"): number {
  return Object.entries(skipped).reduce((n, [reason, k]) => (reason.startsWith(prefix) ? n + k : n), 0);
}
