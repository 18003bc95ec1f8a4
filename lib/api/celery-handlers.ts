// POST /api/v1/admin/celery/{source}/tasks/{id}/terminate and …/workers/{hostname}/rate-limit,
// /pool and /shutdown: Celery's remote control beyond the Source actions (revoke and retry go
// through /api/v1/admin/jobs/{id}/cancel|retry?source=NAME like any source's). Operators may
// terminate and set rate limits; pool sizes and shutdown need an admin. Each answers what the
// workers replied ("worker X acknowledged", "no worker replied within 2 s") with its audit id.
import "server-only";
import { celerySourceConfig } from "../server/celery-sources";
import { type OperationResult, resizeCeleryPool, setCeleryRateLimit, shutdownCeleryWorker, terminateCeleryTask } from "../sources/celery/operations";
import { celeryTaskParams, celeryWorkerParams, poolBody, rateLimitBody, shutdownBody, terminateBody } from "./celery-schemas";
import { apiRoute } from "./route";

const OPERATOR = { role: "operator", scope: "jobs:write" } as const;
const ADMIN = { role: "admin", scope: "jobs:write" } as const;
const AUDIT_PREFIX = "api.celery";

function body(r: OperationResult) {
  return { source: r.source, command: r.command, destination: r.destination, acknowledged: r.acknowledged, replies: r.replies, message: r.message, audit_id: r.auditId };
}

export const terminateCeleryTaskRoute = apiRoute({
  name: "POST /api/v1/admin/celery/{source}/tasks/{id}/terminate",
  auth: OPERATOR,
  params: celeryTaskParams,
  body: terminateBody,
  async handler({ params, body: b, db, actor }) {
    const ctx = { control: db, actor, reason: b.reason ?? null, auditPrefix: AUDIT_PREFIX };
    return body(await terminateCeleryTask(celerySourceConfig(params.source), ctx, params.id, b.signal));
  },
});

export const celeryRateLimitRoute = apiRoute({
  name: "POST /api/v1/admin/celery/{source}/workers/{hostname}/rate-limit",
  auth: OPERATOR,
  params: celeryWorkerParams,
  body: rateLimitBody,
  async handler({ params, body: b, db, actor }) {
    const ctx = { control: db, actor, reason: b.reason ?? null, auditPrefix: AUDIT_PREFIX };
    return body(await setCeleryRateLimit(celerySourceConfig(params.source), ctx, params.hostname, b.task_name, b.rate));
  },
});

export const celeryPoolRoute = apiRoute({
  name: "POST /api/v1/admin/celery/{source}/workers/{hostname}/pool",
  auth: ADMIN,
  params: celeryWorkerParams,
  body: poolBody,
  async handler({ params, body: b, db, actor }) {
    const ctx = { control: db, actor, reason: b.reason ?? null, auditPrefix: AUDIT_PREFIX };
    return body(await resizeCeleryPool(celerySourceConfig(params.source), ctx, params.hostname, b.action, b.n));
  },
});

export const celeryShutdownRoute = apiRoute({
  name: "POST /api/v1/admin/celery/{source}/workers/{hostname}/shutdown",
  auth: ADMIN,
  params: celeryWorkerParams,
  body: shutdownBody,
  async handler({ params, body: b, db, actor }) {
    const ctx = { control: db, actor, reason: b.reason ?? null, auditPrefix: AUDIT_PREFIX };
    return body(await shutdownCeleryWorker(celerySourceConfig(params.source), ctx, params.hostname));
  },
});
