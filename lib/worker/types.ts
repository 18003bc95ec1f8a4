// The worker's public contract: what a handlers module exports and what a handler receives.
import type { BatchPayload, BatchReport, ChildSpec } from "../queue/campaigns";

/** Throw this from a handler to dead-letter the job at once, whatever attempts remain. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentError";
  }
}

export interface JobInfo {
  id: number;
  kind: string;
  queue: string;
  /** 1 for the first attempt. */
  attempt: number;
  maxAttempts: number;
  campaignId: number | null;
  parentId: number | null;
  itemKey: string | null;
  position: number | null;
}

export interface JobContext {
  job: JobInfo;
  /** Aborts when an operator cancels the job, the lease is lost, or the worker shuts down. */
  signal: AbortSignal;
  /** Reports progress (0..1) with an optional message; sent with the next heartbeat. */
  progress(fraction: number, message?: string): void;
  /** Present on a campaign's batch job: where this batch starts and how big it is. */
  batch?: {
    startPosition: number;
    batchSize: number;
    params: Record<string, unknown>;
    /** Enqueues this batch's item jobs; items already present in the campaign are skipped. */
    enqueueChildren(children: readonly ChildSpec[]): Promise<{ inserted: number[]; skippedKeys: string[] }>;
    /** Says where the next batch starts; applied when this batch completes. */
    reportNextStartPosition(report: BatchReport): void;
  };
}

export type Handler = (payload: unknown, ctx: JobContext) => Promise<unknown> | unknown;
export type Handlers = Record<string, Handler>;

export type { BatchPayload, BatchReport, ChildSpec };

/** Why a handler's signal aborted. */
export type AbortReason = "cancelled" | "lost_lease" | "shutdown";
