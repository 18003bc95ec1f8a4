// Every API failure is `{ "error": { "code", "message", fields? } }` with one of a few statuses.
// Expected failures (bad input, a refused role or scope, a queue rule, a missing job) say what
// to fix; anything else is logged on the server and answered with a generic 500.
import { z } from "zod";
import { isStatementTimeout, QUERY_TIMEOUT_MESSAGE } from "../../db/outage";
import { AuthorizationError } from "../auth/caller";
import { JobFilterError } from "../filters/job-filter";
import { BulkInterruptedError } from "../operations/bulk";
import { QueueError } from "../queue/state-machine";
import { BreakerOpenError } from "../sources/breaker";
import { CapabilityError, SourceUnavailableError, UnknownSourceError } from "../sources/types";

export type ApiErrorCode =
  | "invalid_input"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "job_running"
  | "unsupported_media_type"
  | "payload_too_large"
  | "rate_limited"
  | "interrupted"
  | "unsupported"
  | "unavailable"
  | "query_timeout"
  | "internal";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: Record<string, string[]>,
    /** Extra response headers (Retry-After of a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, fields?: Record<string, string[]>) => new ApiError(400, "invalid_input", message, fields);
export const notFound = (message: string) => new ApiError(404, "not_found", message);

export const NO_STORE = { "cache-control": "no-store" } as const;

export function errorResponse(status: number, code: ApiErrorCode, message: string, fields?: Record<string, string[]>, headers?: Record<string, string>): Response {
  return Response.json({ error: { code, message, ...(fields ? { fields } : {}) } }, { status, headers: { ...NO_STORE, ...headers } });
}

/** The API's names for filter fields the shared filter names differently. */
const FIELD_NAMES: Record<string, string> = { errorPrefix: "error_prefix", beforeId: "cursor", limit: "per_page" };
export const apiField = (f: string) => FIELD_NAMES[f] ?? f;

/** 429 for a caller whose expensive-filter budget is spent (lib/server/expensive-filter-limit). */
export const rateLimited = (r: { retryAfterSeconds: number; fields: string[]; message: string }) =>
  new ApiError(429, "rate_limited", r.message, Object.fromEntries(r.fields.map((f) => [f, [r.message]])), { "retry-after": String(r.retryAfterSeconds) });

const QUEUE_STATUS: Record<QueueError["code"], [number, ApiErrorCode]> = {
  not_found: [404, "not_found"],
  illegal_transition: [409, "conflict"],
  job_running: [409, "job_running"],
  lost_lease: [409, "conflict"],
  invalid_input: [400, "invalid_input"],
  conflict: [409, "conflict"],
};

/** Maps anything thrown by a route to its response. Logs what it does not expect (never secrets). */
export function toErrorResponse(err: unknown, label: string): Response {
  if (err instanceof ApiError) return errorResponse(err.status, err.code, err.message, err.fields, err.headers);
  if (err instanceof AuthorizationError) return errorResponse(err.status, err.status === 401 ? "unauthorized" : "forbidden", err.message);
  if (err instanceof z.ZodError) {
    const fields: Record<string, string[]> = {};
    for (const i of err.issues) (fields[i.path.length ? i.path.map(String).join(".") : "input"] ??= []).push(i.message);
    const first = err.issues[0];
    const field = first?.path.length ? first.path.map(String).join(".") : "";
    const msg = first?.message ?? "invalid input";
    return errorResponse(400, "invalid_input", field && !msg.startsWith(field) ? `${field}: ${msg}` : msg, fields);
  }
  if (err instanceof JobFilterError) {
    const fields: Record<string, string[]> = {};
    for (const i of err.issues) (fields[apiField(i.field) || "filter"] ??= []).push(i.message);
    const f = apiField(err.field);
    return errorResponse(400, "invalid_input", f && !err.message.includes(f) ? `${f}: ${err.message}` : err.message, fields);
  }
  if (err instanceof QueueError) {
    const [status, code] = QUEUE_STATUS[err.code];
    return errorResponse(status, code, err.message);
  }
  // Sources: a missing capability is a 409 naming it; an unreachable source a 503 (the others keep working).
  if (err instanceof CapabilityError) return errorResponse(409, "unsupported", err.message);
  if (err instanceof UnknownSourceError) return errorResponse(400, "invalid_input", err.message, { source: [err.message] });
  if (err instanceof SourceUnavailableError) return errorResponse(503, "unavailable", err.message);
  if (err instanceof BreakerOpenError) return errorResponse(503, "unavailable", `the source is unavailable: ${err.message}`);
  // The read ran past JOBDECK_STATEMENT_TIMEOUT_MS and was cancelled (its connection is free again).
  if (isStatementTimeout(err)) return errorResponse(503, "query_timeout", QUERY_TIMEOUT_MESSAGE);
  if (err instanceof BulkInterruptedError) {
    console.error(`[jobdeck] api ${label} interrupted:`, err.cause);
    const p = err.partial;
    return errorResponse(
      500,
      "interrupted",
      `stopped part-way: ${p.affected + p.cancel_requested} jobs were already changed in ${p.batches} committed (audited) batches; nothing else was touched. Send the request again to finish.`,
    );
  }
  console.error(`[jobdeck] api ${label} failed:`, err);
  return errorResponse(500, "internal", "something went wrong on the server; the details were logged");
}
