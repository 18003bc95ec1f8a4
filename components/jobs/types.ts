// The Jobs page's data as it travels to the browser (JSON: dates as ISO strings), shared by the
// server page, the internal route handler that the live refresh polls, and the client table.
import type { JobState } from "@/lib/queue/state-machine";

export interface JobRowView {
  id: number;
  kind: string;
  queue: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  priority: number;
  worker: string | null;
  createdAt: string;
  runAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
  campaignId: number | null;
  runtimeMs: number | null;
  /** First line of last_error: shown as text, never as HTML. */
  errorLine: string | null;
}

export interface JobsPageView {
  jobs: JobRowView[];
  /** `beforeId` of the next (older) page; null on the last page. */
  nextBeforeId: number | null;
  /** `afterId` of the previous (newer) page; null on the first page. */
  prevAfterId: number | null;
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
