// Schemas of the Celery remote-control endpoints (POST /api/v1/admin/celery/{source}/…): path
// parameters, JSON bodies (unknown fields refused) and the response, for validation and the
// OpenAPI document.
import { z } from "zod";
import { celeryPoolDirection, celeryPoolSize, celeryRate, celeryReason, celerySignal, celeryTaskName } from "../sources/celery/inputs";

const unknownField = { error: (i: { code?: string; keys?: string[] }) => (i.code === "unrecognized_keys" ? `unknown field ${(i.keys ?? []).map((k) => `"${k}"`).join(", ")}` : undefined) };

/** A path segment as Next hands it over (possibly still percent-encoded). */
const segment = (what: string, max: number) =>
  z
    .string()
    .transform((s) => {
      try {
        return s.includes("%") ? decodeURIComponent(s) : s;
      } catch {
        return s;
      }
    })
    .pipe(z.string().trim().min(1, `${what} is required`).max(max, `${what} is longer than ${max} characters`));

export const celeryTaskParams = z.object({ source: segment("source", 60), id: segment("id (the task id)", 255) });
export const celeryWorkerParams = z.object({ source: segment("source", 60), hostname: segment("hostname (celery@host, or * for every worker)", 255) });

export const terminateBody = z.strictObject({ signal: celerySignal.describe("SIGTERM (default) lets the task's process clean up; SIGKILL ends it at once"), reason: celeryReason }, unknownField);
export const rateLimitBody = z.strictObject({ task_name: celeryTaskName, rate: celeryRate.describe('"10" (per second), "10/m", "100/h"; "0" removes the limit'), reason: celeryReason }, unknownField);
export const poolBody = z.strictObject({ action: celeryPoolDirection, n: celeryPoolSize.default(1), reason: celeryReason }, unknownField);
export const shutdownBody = z.strictObject({ reason: celeryReason }, unknownField);

export const operationResponse = z.object({
  source: z.string(),
  command: z.string().describe("the pidbox command sent: revoke (with terminate), rate_limit, pool_grow, pool_shrink, shutdown"),
  destination: z.array(z.string()).nullable().describe("worker hostnames; null = every worker"),
  acknowledged: z.boolean().describe("a worker replied ok (shutdown, which Celery never answers: a worker received it)"),
  replies: z.array(z.object({ worker: z.string(), ok: z.string().nullable(), error: z.string().nullable() })),
  message: z.string().describe('"worker celery@a acknowledged: pool will grow", "no worker replied within 2 s"'),
  audit_id: z.number(),
});
