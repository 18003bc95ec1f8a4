// The Jobs page's data as it travels to the browser (JSON: dates as ISO strings), shared by the
// server page, the internal route handler that the live refresh polls, and the client table.
import type { SourceJob } from "@/lib/sources/types";

/** One row: a job of any source (lib/sources/types). `key` identifies it within its source. */
export type JobRowView = SourceJob;

export interface JobsPageView {
  /** The source listed (`jobdeck` = the native queue). */
  source: string;
  jobs: JobRowView[];
  /** Opaque cursor of the next (older) page; null on the last page. */
  next: string | null;
  /** Opaque cursor of the previous (newer) page; null on the first page. */
  prev: string | null;
  /** Jobs matching the filter (all pages): exact up to the cap, then "at least". */
  matching: { value: number; capped: boolean };
  /** Server clock (ms) when the data was read. */
  readAt: number;
}

/** What the internal route handler answers when the database cannot be read. */
export interface JobsPageFailure {
  error: string;
  database: string;
}

/** The live refresh's answer when the caller's expensive-filter budget is spent (HTTP 429, with Retry-After). */
export interface JobsPageRateLimited {
  error: string;
  code: "rate_limited";
  /** The expensive filter fields of the refused request. */
  fields: string[];
  retryAfterSeconds: number;
}
