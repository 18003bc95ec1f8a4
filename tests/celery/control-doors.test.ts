// The doors of Celery remote control, in process (server actions through runAsCaller, API route
// handlers with real Requests), against a real worker over a real redis-server: a viewer is
// refused every action (server actions 403, API 403 for a session and a jobs:read token) and an
// operator the admin-only ones, with nothing sent or recorded; bad bodies are 400s naming the
// field; what Celery cannot do is a 409 naming the capability; an operator's terminate (SIGKILL)
// and an admin's pool grow go through, audited with the source and the keys; the generic cancel
// and retry endpoints act on Celery tasks like on any source's jobs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { celeryPoolRoute, celeryRateLimitRoute, celeryShutdownRoute, terminateCeleryTaskRoute } from "../../lib/api/celery-handlers";
import { cancelJobRoute, priorityJobRoute, recoverStaleRoute, retryJobRoute } from "../../lib/api/jobs-handlers";
import { openApiDocument } from "../../lib/api/openapi";
import { sourcesResponse } from "../../lib/api/source-schemas";
import { sourcesRoute } from "../../lib/api/sources-handlers";
import { cancelJobsAction } from "../../lib/actions/cancel-jobs";
import { resizeCeleryPoolAction } from "../../lib/actions/resize-celery-pool";
import { retryJobsAction } from "../../lib/actions/retry-jobs";
import { setCeleryRateLimitAction } from "../../lib/actions/set-celery-rate-limit";
import { shutdownCeleryWorkerAction } from "../../lib/actions/shutdown-celery-worker";
import { terminateCeleryTaskAction } from "../../lib/actions/terminate-celery-task";
import { type Caller, runAsCaller } from "../../lib/auth/caller";
import { createApiToken } from "../../lib/auth/tokens";
import { type CeleryWorker, type RedisServer, sendTasks, startCeleryWorker, startRedis } from "../helpers/celery";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { type EventWatch, watchCeleryEvents } from "./event-watch";
import { insertTask, insertWorker } from "./source-fixture";

let t: TestDatabase;
let redis: RedisServer;
let worker: CeleryWorker;
let watch: EventWatch;
const S = "tasks";
const tokens = { read: "", write: "" };

const viewer: Caller = { name: "viewer@example.com", roles: ["viewer"], source: "session" };
const operator: Caller = { name: "ops@example.com", roles: ["operator"], source: "session" };
const admin: Caller = { name: "boss@example.com", roles: ["admin"], source: "session" };
const FORBIDDEN = "NEXT_HTTP_ERROR_FALLBACK;403";

type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
async function post(route: Route, caller: Caller | null, path: string, params: Record<string, string>, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const request = new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const res = await runAsCaller(caller, () => route(request, { params: Promise.resolve(params) }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const errorOf = (r: { body: Record<string, unknown> }) => r.body.error as { code: string; message: string };
const terminate = (caller: Caller | null, id: string, body: unknown, token?: string, source = S) =>
  post(terminateCeleryTaskRoute as Route, caller, `/api/v1/admin/celery/${source}/tasks/${id}/terminate`, { source, id }, body, token);
const workerRoute = (route: Route, what: string) => (caller: Caller | null, hostname: string, body: unknown, token?: string) =>
  post(route, caller, `/api/v1/admin/celery/${S}/workers/${encodeURIComponent(hostname)}/${what}`, { source: S, hostname: encodeURIComponent(hostname) }, body, token);
const rateLimit = workerRoute(celeryRateLimitRoute as Route, "rate-limit");
const pool = workerRoute(celeryPoolRoute as Route, "pool");
const shutdown = workerRoute(celeryShutdownRoute as Route, "shutdown");
const auditCount = async () => Number((await t.db.query<{ n: number }>("select count(*)::int as n from audit_events"))[0].n);

beforeAll(async () => {
  t = await createTestDatabase("celery_doors");
  redis = await startRedis();
  watch = await watchCeleryEvents(redis.url(0));
  worker = await startCeleryWorker({ broker: redis.url(0), name: `doors${process.pid}`, pool: "prefork", concurrency: 2 });
  process.env.DATABASE_URL = t.url;
  process.env.JOBDECK_SOURCES = JSON.stringify([
    { name: S, kind: "celery", broker: redis.url(0) },
    { name: "tasks-ro", kind: "celery", broker: redis.url(0), readOnly: true },
  ]);
  await insertWorker(t.db, S, { hostname: worker.hostname, heartbeatAgo: 0, pool: "prefork", concurrency: 2 });
  tokens.read = (await createApiToken(t.db, { name: "reader", owner: "sre@example.com", scopes: ["jobs:read"], actor: { name: "test" } })).token;
  tokens.write = (await createApiToken(t.db, { name: "writer", owner: "sre@example.com", scopes: ["jobs:read", "jobs:write"], actor: { name: "test" } })).token;
}, 120_000);

afterAll(async () => {
  const { closeDb } = await import("../../lib/server/db");
  const { closeSources } = await import("../../lib/server/sources");
  await closeSources();
  await closeDb();
  await watch?.close();
  await worker?.stop();
  await redis?.dispose();
  await t?.drop();
});

describe("roles", () => {
  it("a viewer is refused every Celery action (server actions and API, session and jobs:read token); nothing is sent or recorded", async () => {
    const id = await insertTask(t.db, S, { state: "STARTED", worker: worker.hostname, startedAgo: 1 });
    const before = await auditCount();
    const actions: [string, () => Promise<unknown>][] = [
      ["terminate", () => terminateCeleryTaskAction({ source: S, key: id })],
      ["rate limit", () => setCeleryRateLimitAction({ source: S, worker: worker.hostname, taskName: "fixture.add", rate: "1/s" })],
      ["pool", () => resizeCeleryPoolAction({ source: S, worker: worker.hostname, direction: "grow", n: 1 })],
      ["shutdown", () => shutdownCeleryWorkerAction({ source: S, worker: worker.hostname })],
      ["cancel", () => cancelJobsAction({ source: S, keys: [id] })],
      ["retry", () => retryJobsAction({ source: S, keys: [id] })],
    ];
    for (const [what, run] of actions) await expect(runAsCaller(viewer, run), what).rejects.toMatchObject({ digest: FORBIDDEN });
    // Pool sizes and shutdown are an admin's.
    await expect(runAsCaller(operator, actions[2][1])).rejects.toMatchObject({ digest: FORBIDDEN });
    await expect(runAsCaller(operator, actions[3][1])).rejects.toMatchObject({ digest: FORBIDDEN });

    for (const [who, caller, token] of [["viewer session", viewer, undefined], ["jobs:read token", null, tokens.read]] as const) {
      expect((await terminate(caller, id, {}, token)).status, who).toBe(403);
      expect((await rateLimit(caller, worker.hostname, { task_name: "fixture.add", rate: "1/s" }, token)).status, who).toBe(403);
      expect((await pool(caller, worker.hostname, { action: "grow" }, token)).status, who).toBe(403);
      expect((await shutdown(caller, worker.hostname, {}, token)).status, who).toBe(403);
      expect((await post(cancelJobRoute as Route, caller, `/api/v1/admin/jobs/${id}/cancel?source=${S}`, { id }, {}, token)).status, who).toBe(403);
    }
    // An operator (a jobs:write token acts as one) may not resize or shut down.
    expect((await pool(null, worker.hostname, { action: "grow" }, tokens.write)).status).toBe(403);
    expect(errorOf(await shutdown(operator, worker.hostname, {}))).toMatchObject({ code: "forbidden", message: expect.stringContaining("needs the admin role") });
    expect(await auditCount()).toBe(before);
    expect(watch.events.filter((e) => e.type === "task-revoked" && e.uuid === id)).toEqual([]);
  });
});

describe("bad input and what Celery cannot do", () => {
  it("400s name the field: signal, task_name, rate, action, n, unknown fields, bad JSON, an unknown or non-Celery source", async () => {
    const id = await insertTask(t.db, S, { state: "STARTED", worker: worker.hostname, startedAgo: 1 });
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, RegExp][] = [
      ["signal", terminate(operator, id, { signal: "SIGFOO" }), /signal must be one of SIGTERM, SIGKILL/],
      ["unknown field", terminate(operator, id, { signal: "SIGTERM", force: true }), /unknown field "force"/],
      ["not JSON", terminate(operator, id, "{nope"), /the body is not valid JSON/],
      ["task_name", rateLimit(operator, worker.hostname, { rate: "1/s" }), /task_name is required/],
      ["rate", rateLimit(operator, worker.hostname, { task_name: "fixture.add", rate: "ten per minute" }), /rate must be a number of tasks, optionally per s, m or h/],
      ["action", pool(admin, worker.hostname, { action: "double" }), /action must be "grow" or "shrink"/],
      ["n", pool(admin, worker.hostname, { action: "grow", n: 0 }), /n must be at least 1/],
      ["unknown source", terminate(operator, id, {}, undefined, "nope"), /unknown source "nope"/],
      ["native source", terminate(operator, id, {}, undefined, "jobdeck"), /Jobdeck's own queue: these operations are Celery's remote control/],
    ];
    for (const [what, res, message] of cases) {
      const r = await res;
      expect(r.status, what).toBe(400);
      expect(errorOf(r), what).toMatchObject({ code: "invalid_input", message: expect.stringMatching(message) });
    }
  });

  it("404 for a task or worker Jobdeck never saw; 409 for a task that is not running, and naming the capability Celery lacks", async () => {
    expect(errorOf(await terminate(operator, "no-such-task", {}))).toMatchObject({ code: "not_found" });
    expect((await rateLimit(operator, "nobody@nowhere", { task_name: "fixture.add", rate: "1/s" })).status).toBe(404);
    const pending = await insertTask(t.db, S, { state: "PENDING" });
    const notRunning = await terminate(operator, pending, {});
    expect(notRunning.status).toBe(409);
    expect(errorOf(notRunning).message).toMatch(/is PENDING, not running/);
    const prio = await post(priorityJobRoute as Route, operator, `/api/v1/admin/jobs/${pending}/priority?source=${S}`, { id: pending }, { priority: 5 });
    expect(prio.status).toBe(409);
    expect(errorOf(prio)).toMatchObject({ code: "unsupported", message: expect.stringMatching(/^source "tasks" cannot do priority: Celery cannot change a sent task's priority or ETA/) });
    const recover = await post(recoverStaleRoute as Route, operator, `/api/v1/admin/jobs/recover-stale?source=${S}`, {}, {});
    expect(recover.status).toBe(409);
    expect(errorOf(recover).message).toMatch(/cannot do recoverStale: Celery has no lease to release/);
    const ro = await terminate(operator, pending, {}, undefined, "tasks-ro");
    expect(ro.status).toBe(409);
    expect(errorOf(ro).message).toMatch(/^source "tasks-ro" cannot do operation:terminate: configured read-only/);
    const roPending = await insertTask(t.db, "tasks-ro", { state: "PENDING" });
    const roCancel = await post(cancelJobRoute as Route, operator, `/api/v1/admin/jobs/${roPending}/cancel?source=tasks-ro`, { id: roPending }, {});
    expect(roCancel.status).toBe(409);
    expect(errorOf(roCancel).message).toMatch(/cannot do cancel: configured read-only/);
  });
});

describe("through the doors, with the real worker", () => {
  it("an operator's token terminates a running task with SIGKILL; the worker reports signal 9; audited as api.celery.terminate", async () => {
    const [id] = sendTasks(redis.url(0), [{ name: "fixture.sleep", args: [60] }]);
    await watch.waitFor("task-started", (e) => e.type === "task-started" && e.uuid === id);
    await insertTask(t.db, S, { id, name: "fixture.sleep", state: "STARTED", worker: worker.hostname, startedAgo: 0 });
    const r = await terminate(null, id, { signal: "SIGKILL", reason: "stuck" }, tokens.write);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ source: S, command: "revoke", destination: [worker.hostname], acknowledged: true, message: `worker ${worker.hostname} acknowledged: terminate: ${id}` });
    expect(await watch.waitFor("task-revoked", (e) => e.type === "task-revoked" && e.uuid === id)).toMatchObject({ terminated: true, signum: 9 });
    const [a] = await t.db.query<Record<string, unknown>>("select actor, action, source, target_keys, outcome, reason, affected, details from audit_events where id = $1", [r.body.audit_id]);
    expect(a).toMatchObject({ actor: "token:writer (sre@example.com)", action: "api.celery.terminate", source: S, target_keys: [id], outcome: "ok", reason: "stuck", affected: 1, details: { signal: "SIGKILL" } });
  });

  it("an admin grows the pool and sets a rate limit by hostname (URL-encoded); the answers carry the worker's words", async () => {
    const g = await pool(admin, worker.hostname, { action: "grow", n: 1 });
    expect(g).toMatchObject({ status: 200, body: { command: "pool_grow", acknowledged: true, replies: [{ worker: worker.hostname, ok: "pool will grow", error: null }] } });
    const s = await pool(admin, worker.hostname, { action: "shrink" });
    expect(s.body).toMatchObject({ command: "pool_shrink", acknowledged: true });
    const rl = await rateLimit(operator, worker.hostname, { task_name: "fixture.add", rate: "100/h" });
    expect(rl.body).toMatchObject({ acknowledged: true, message: `worker ${worker.hostname} acknowledged: new rate limit set successfully` });
  });

  it("the generic cancel and retry endpoints and actions act on Celery tasks: revoke a pending one, refuse a running one (409), re-send a failed one", async () => {
    const [id] = sendTasks(redis.url(0), [{ name: "fixture.add", args: [1, 1], countdown: 30 }]);
    await insertTask(t.db, S, { id, state: "RECEIVED", worker: worker.hostname, receivedAgo: 0 });
    const c = await post(cancelJobRoute as Route, operator, `/api/v1/admin/jobs/${id}/cancel?source=${S}`, { id }, { reason: "not needed" });
    expect(c).toMatchObject({ status: 200, body: { source: S, changed: true, job: { key: id, native_state: "RECEIVED" } } });
    const running = await insertTask(t.db, S, { state: "STARTED", worker: worker.hostname, startedAgo: 1 });
    const refused = await post(cancelJobRoute as Route, operator, `/api/v1/admin/jobs/${running}/cancel?source=${S}`, { id: running }, {});
    expect(refused.status).toBe(409);
    expect(errorOf(refused)).toMatchObject({ code: "job_running", message: expect.stringMatching(/running: a revoke does not stop a running task \(use Terminate\)/) });

    const failed = await insertTask(t.db, S, { state: "FAILURE", args: "[20, 22]", argsJson: [20, 22], kwargsJson: {}, finishedAgo: 3 });
    const viaAction = await runAsCaller(operator, () => retryJobsAction({ source: S, keys: [failed], reason: "again" }));
    expect(viaAction).toMatchObject({ ok: true, result: { affected: 1 } });
    const [row] = await t.db.query<{ task_id: string }>("select task_id from celery_tasks where source = $1 and retry_of = $2", [S, failed]);
    expect(await watch.waitFor("the re-sent task to succeed", (e) => e.type === "task-succeeded" && e.uuid === row.task_id)).toMatchObject({ result: "42" });
    const again = await post(retryJobRoute as Route, operator, `/api/v1/admin/jobs/${failed}/retry?source=${S}`, { id: failed }, {});
    expect(again.status).toBe(200);
    expect(await t.db.query("select task_id from celery_tasks where source = $1 and retry_of = $2", [S, failed])).toHaveLength(2);
  });

  it("the server action of terminate answers a value the page can toast", async () => {
    const pending = await insertTask(t.db, S, { state: "RETRY" });
    expect(await runAsCaller(operator, () => terminateCeleryTaskAction({ source: S, key: pending }))).toMatchObject({ ok: false, code: "conflict", error: expect.stringMatching(/is RETRY, not running/) });
    expect(await runAsCaller(operator, () => terminateCeleryTaskAction({ source: S, key: pending, signal: "SIGBOOM" }))).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { signal: [expect.stringMatching(/signal must be one of/)] } });
  });
});

describe("GET /api/v1/sources", () => {
  it("describes the Celery source: capabilities with reasons, the bridge's notices, health, the broker without a password", async () => {
    const res = await runAsCaller(viewer, () => (sourcesRoute as Route)(new Request("http://localhost/api/v1/sources"), { params: Promise.resolve({}) }));
    expect(res.status).toBe(200);
    const tasks = sourcesResponse.parse(await res.json()).sources.find((x) => x.name === S)!;
    expect(tasks).toMatchObject({
      kind: "celery",
      library: "celery",
      library_version: "5.2.6",
      location: `redis 127.0.0.1:${redis.port}/0`,
      capabilities: { priority: { supported: false }, retry: { supported: true } },
      health: { ok: false, error: "no Celery bridge has listened to this broker yet" },
      summary: null,
    });
    expect(tasks.notices[0]).toMatchObject({ tone: "bad", text: expect.stringMatching(/^No Celery bridge has listened to this broker yet/) });
  });
});

describe("OpenAPI", () => {
  it("documents the four Celery endpoints with their path parameters and bodies", () => {
    const doc = openApiDocument() as { paths: Record<string, { post?: { parameters: { name: string; in: string }[]; requestBody?: unknown } }> };
    for (const p of ["/api/v1/admin/celery/{source}/tasks/{id}/terminate", "/api/v1/admin/celery/{source}/workers/{hostname}/rate-limit", "/api/v1/admin/celery/{source}/workers/{hostname}/pool", "/api/v1/admin/celery/{source}/workers/{hostname}/shutdown"]) {
      const op = doc.paths[p]?.post;
      expect(op, p).toBeDefined();
      expect(op!.parameters.filter((x) => x.in === "path").map((x) => x.name), p).toEqual(p.includes("{id}") ? ["source", "id"] : ["source", "hostname"]);
      expect(op!.requestBody, p).toBeDefined();
    }
  });
});
