// The source seam: one interface every job system Jobdeck shows goes through — its own queue
// (`jobdeck`), pg-boss, graphile-worker. Pages, server actions, the API and the CLI ask a Source
// for data and actions, and ask its capability set what it can do; none of them touches a
// foreign schema. Everything here is plain JSON (dates as ISO strings) so it crosses to the
// browser and out of the API unchanged. Adapters only translate; every change goes through the
// library's own functions (lib/sources/<kind>/).
import type { Database } from "../../db/client";
import type { Actor } from "../audit/record";
import type { JobCriteria } from "../filters/job-filter";
import type { OverviewRange, OverviewSeries } from "../queries/rollups";
import type { JobState } from "../queue/state-machine";

export const SOURCE_KINDS = ["jobdeck", "pg-boss", "graphile-worker", "celery"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** The name of the native source: it always exists, and a URL without `?source=` means it. */
export const NATIVE_SOURCE = "jobdeck";

/**
 * What a source can do or show. A missing capability carries the one sentence an operator reads
 * where they would look for it ("graphile-worker deletes completed jobs: there is no history").
 */
export const CAPABILITIES = [
  // actions
  "retry",
  "cancel",
  "priority",
  "runNow",
  "recoverStale",
  // reads
  "history", // finished (completed/cancelled) jobs are kept and listed
  "workers", // a worker list with liveness
  "heartbeats", // workers heartbeat, so online/offline is known
  "stale", // running jobs whose lock/lease expired are detectable
  "attempts", // a per-attempt history of each job
  "charts", // throughput/runtime series
  "campaigns",
] as const;
export type Capability = (typeof CAPABILITIES)[number];
export type CapabilityState = { supported: true } | { supported: false; reason: string };
export type CapabilitySet = Record<Capability, CapabilityState>;

/** Filter fields of JobCriteria a source may not support, each with the reason. */
export type FilterField = Exclude<keyof JobCriteria, "states">;
export type UnsupportedFilters = Partial<Record<FilterField, string>>;

export interface SourceHealth {
  ok: boolean;
  /** ISO time of the check. */
  checkedAt: string;
  latencyMs: number | null;
  /** Why it is not ok (host and database only: never a connection string or password). */
  error: string | null;
  /** open: recent failures, the source is not asked again until the breaker half-opens. */
  breaker: "closed" | "open" | "half-open";
}

export interface SourceInfo {
  name: string;
  kind: SourceKind;
  /** The job library: "jobdeck", "pg-boss", "graphile-worker". */
  library: string;
  /** The library version Jobdeck acts with (the installed package), when it has one. */
  libraryVersion: string | null;
  /** The schema version read from the source's database (pg-boss: pgboss.version), when known. */
  schemaVersion: string | null;
  /** `postgres host:port/db schema=...`: never a password. */
  location: string;
  readOnly: boolean;
  /** Why it is read-only (configuration, or a library that cannot act on this schema). */
  readOnlyReason: string | null;
  capabilities: CapabilitySet;
  unsupportedFilters: UnsupportedFilters;
  /** Supported filter fields whose meaning differs from the native queue's, each with a note (graphile-worker: "worker" matches running jobs only). */
  filterNotes?: Partial<Record<FilterField, string>>;
  /** How each native state of the library maps onto Jobdeck's, for the legend ("created → pending"). */
  stateMap: { native: string; state: JobState; note?: string }[];
  /**
   * What an operator must know before trusting this source's pages, shown as a banner on each of
   * them (a Celery source: "no events since 10:02: the bridge lost the broker"). Plain text.
   */
  notices?: SourceNotice[];
}

export interface SourceNotice {
  /** bad: the data is not current (a gap now); warn: it was not complete (a past gap); info: how far back it goes. */
  tone: "info" | "warn" | "bad";
  text: string;
}

/** A count that stops at a cap; `capped` means "at least this many". */
export interface CappedCount {
  value: number;
  capped: boolean;
}

/** One job as lists show it. `key` identifies it within its source (native: the id). */
export interface SourceJob {
  key: string;
  kind: string;
  queue: string;
  state: JobState;
  /** The library's own state name ("created", "active", "locked", ...): shown beside `state`. */
  nativeState: string;
  attempts: number;
  maxAttempts: number | null;
  priority: number;
  /** running: who holds it; finished: who ran its last attempt, where known. */
  worker: string | null;
  createdAt: string;
  runAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** When the lock/lease runs out (running jobs), where the source has one. */
  lockedUntil: string | null;
  cancelRequested: boolean;
  campaignId: number | null;
  runtimeMs: number | null;
  /** First line of the last error, at most 300 characters: render as text, never HTML. */
  errorLine: string | null;
}

export interface SourceJobsPage {
  jobs: SourceJob[];
  /** Opaque cursor of the next (older) page; null on the last page. */
  next: string | null;
  /** Opaque cursor of the previous (newer) page; null on the first page. */
  prev: string | null;
}

export interface SourceListQuery {
  criteria: JobCriteria;
  limit: number;
  /** A `next` cursor: the page after it. */
  before?: string;
  /** A `prev` cursor: the page before it (still newest first). */
  after?: string;
}

export interface SourceAttempt {
  attempt: number;
  worker: string | null;
  startedAt: string;
  finishedAt: string | null;
  outcome: string | null;
  error: string | null;
  durationSeconds: number | null;
}

export interface SourceJobDetail {
  job: SourceJob & {
    payload: unknown;
    result: unknown;
    /** The whole last error (stack included), as text. */
    lastError: string | null;
    progress: number | null;
    progressMessage: string | null;
    heartbeatAt: string | null;
  };
  /** The source database's clock when read: ages on the page are relative to it. */
  now: string;
  isStale: boolean;
  canRetry: boolean;
  /** One sentence: what is safe to do now. */
  recoveryHint: string;
  /** Whether the worker holding it heartbeats; null when unknown. */
  workerOnline: boolean | null;
  /** The newest attempts, oldest first; null when the source keeps no attempt history. */
  attempts: SourceAttempt[] | null;
  attemptsTotal: number | null;
  /** Library-specific columns worth showing as they are (label → text), e.g. pg-boss's singleton key. */
  extra: { label: string; value: string }[];
  /** What the library recorded about the job, oldest first (Celery: its task events); absent when it records nothing of the kind. */
  timeline?: { at: string; type: string; worker: string | null; detail: string | null }[];
  /** Related jobs of the same source, by role ("root", "retry of", "retried as"); absent when the library links none. */
  links?: { label: string; key: string; kind: string | null; state: JobState | null }[];
  /** Links the native source has (campaign, parent, children); empty elsewhere. */
  campaign: { id: number; name: string; state: string } | null;
  parent: { key: string; kind: string; state: JobState } | null;
  children: { byState: Record<string, number>; total: number };
}

export type WorkerStatus = "online" | "offline" | "stopped" | "unknown";

export interface SourceWorker {
  id: string;
  hostname: string | null;
  pid: number | null;
  queues: string[];
  concurrency: number | null;
  version: string | null;
  status: WorkerStatus;
  startedAt: string | null;
  lastHeartbeatAt: string | null;
  heartbeatAgeSeconds: number | null;
  uptimeSeconds: number | null;
  processed: number | null;
  failed: number | null;
  runningCount: number;
  running: { key: string; kind: string; queue: string; startedAt: string | null; lockedUntil: string | null; runtimeSeconds: number | null; leaseExpired: boolean }[];
}

export interface SourceStaleJob {
  key: string;
  kind: string;
  queue: string;
  worker: string | null;
  startedAt: string | null;
  lockedUntil: string | null;
  attempts: number;
  maxAttempts: number | null;
  leaseExpired: boolean;
  workerOnline: boolean | null;
  overdueSeconds: number;
  leaseRemainingSeconds: number;
}

export interface SourceQueueSummary {
  queue: string;
  pending: number;
  running: number;
  failed: number;
  /** Seconds the oldest ready job has waited past its run time; null when none is ready. */
  oldestPendingAgeSeconds: number | null;
  /** Paused / policy / anything the library says about the queue, as text. */
  note: string | null;
}

/** The health of one source on one screen: the all-sources overview and GET /api/v1/sources. */
export interface SourceSummary {
  asOf: string;
  /** Jobs by Jobdeck state; a state the source does not keep is absent. */
  counts: Partial<Record<JobState, CappedCount>>;
  oldestPendingAgeSeconds: number | null;
  /** Attempts that failed in the last hour; null when the source cannot tell. */
  failedLastHour: number | null;
  completedLastHour: number | null;
  workers: { online: number; offline: number } | null;
  stale: number | null;
  queues: SourceQueueSummary[];
}

export const SOURCE_ACTIONS = ["retry", "cancel", "priority", "runNow"] as const;
export type SourceAction = (typeof SOURCE_ACTIONS)[number];

/** The audit action of each source action: `${prefix}.${suffix}` (`jobs.set_priority`, `api.jobs.retry`). */
export const ACTION_AUDIT_SUFFIX: Record<SourceAction, string> = { retry: "retry", cancel: "cancel", priority: "set_priority", runNow: "run_now" };

export function auditActionName(prefix: string, action: SourceAction | "recoverStale"): string {
  return `${prefix}.${action === "recoverStale" ? "recover_stale" : ACTION_AUDIT_SUFFIX[action]}`;
}

export type ActionTarget = { keys: readonly string[]; criteria?: undefined } | { criteria: JobCriteria; keys?: undefined };

export interface ActionInput {
  action: SourceAction;
  target: ActionTarget;
  /** For `priority`. */
  priority?: number;
  /** Retry finished (completed) jobs too, where the source keeps them. */
  includeCompleted?: boolean;
}

export interface ActionPreview {
  /** Jobs the target matches (capped for filters: see `matchedCapped`). */
  matched: number;
  matchedCapped: boolean;
  /** How many would change. */
  willChange: number;
  /** How many would be skipped, by reason ("running jobs are never retried": 3). */
  skipped: Record<string, number>;
}

export interface ActionContext {
  /** The control database: where audit rows go. */
  control: Database;
  actor: Actor;
  reason: string | null;
  /** Audit action name prefix: "jobs" (pages), "api.jobs" (API), "cli.jobs" (CLI); see auditActionName(). */
  auditPrefix: string;
  /**
   * Called once with the number of jobs the action would change, before anything changes; a
   * throw refuses the whole action, audited as `refused` (the admin-threshold rule of
   * lib/auth/bulk-limit; the CLI passes none).
   */
  guard?: (willChange: number) => void;
}

export interface ActionResult {
  matched: number;
  affected: number;
  skipped: Record<string, number>;
  /** Keys that changed (at most a bounded number for filters). */
  keys: string[];
  auditIds: number[];
}

export interface RecoverInput {
  /** Specific stale jobs, every stale job, or every job of workers the operator confirms are gone. */
  target: { keys: readonly string[] } | { all: true } | { workers: readonly string[] };
  /** Release leases that have not expired yet (the worker may still be running them). */
  force?: boolean;
}

/** Reads. Every method runs under the source's statement timeout and circuit breaker. */
export interface SourceReader {
  listJobs(q: SourceListQuery): Promise<SourceJobsPage>;
  /** How many jobs match, counting at most `cap` (never an unbounded scan). */
  countJobs(criteria: JobCriteria, cap: number): Promise<CappedCount>;
  getJob(key: string): Promise<SourceJobDetail | null>;
  listWorkers(): Promise<SourceWorker[]>;
  listStale(): Promise<SourceStaleJob[]>;
  summary(): Promise<SourceSummary>;
  series(range: OverviewRange): Promise<OverviewSeries | null>;
}

/** Actions. Each checks the capability, writes its audit row(s), and never half-applies a batch. */
export interface SourceWriter {
  preview(input: ActionInput): Promise<ActionPreview>;
  apply(input: ActionInput, ctx: ActionContext): Promise<ActionResult>;
  recoverStale(input: RecoverInput, ctx: ActionContext): Promise<ActionResult>;
}

export interface Source extends SourceReader, SourceWriter {
  readonly name: string;
  readonly kind: SourceKind;
  info(): Promise<SourceInfo>;
  health(): Promise<SourceHealth>;
  /** Parses a key from a URL or the API; null when it cannot be one of this source's jobs. */
  parseKey(raw: string): string | null;
  close(): Promise<void>;
}

/** A request for something the source cannot do: the API answers 409 naming the capability (or a library's own operation: `operation:terminate`). */
export class CapabilityError extends Error {
  readonly status = 409;
  constructor(
    readonly source: string,
    readonly capability: Capability | `filter:${FilterField}` | `operation:${string}`,
    readonly reason: string,
  ) {
    super(`source "${source}" cannot do ${capability}: ${reason}`);
    this.name = "CapabilityError";
  }
}

/** The source is unreachable (or its breaker is open): pages show a banner, the API a 503. */
export class SourceUnavailableError extends Error {
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`source "${source}" is unavailable: ${detail}`);
    this.name = "SourceUnavailableError";
  }
}

/** A `source` parameter naming no configured source: a 400 in the API, a 404 page. */
export class UnknownSourceError extends Error {
  constructor(
    readonly requested: string,
    readonly known: readonly string[],
  ) {
    super(`unknown source "${requested.slice(0, 60)}"; sources are ${known.join(", ")}`);
    this.name = "UnknownSourceError";
  }
}
