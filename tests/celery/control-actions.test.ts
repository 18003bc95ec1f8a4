// Remote control through the broker against a REAL Celery worker (Debian's celery, prefork pool,
// events on) over a real redis-server of our own: a task sent with a countdown and revoked
// through the source never runs (Celery's own `inspect revoked` lists it; the worker reports it
// REVOKED at its ETA); a running fixture.sleep terminated through Jobdeck gets the signal (the
// worker's task-revoked event says terminated, `inspect active` no longer lists it); rate_limit
// and pool_grow/shrink get the worker's reply; an exact retry re-sends fixture.add with the same
// arguments as a new task the worker runs; a worker that is gone gives "no worker replied".
// Every change has its audit row (intent, then outcome with what the workers said). The task
// rows are inserted as the bridge writes them (./source-fixture): the bridge is not under test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCelerySource } from "../../lib/sources/celery";
import { resizeCeleryPool, setCeleryRateLimit, shutdownCeleryWorker, terminateCeleryTask } from "../../lib/sources/celery/operations";
import type { CelerySourceConfig } from "../../lib/sources/config";
import type { Source } from "../../lib/sources/types";
import { type CeleryWorker, type RedisServer, sendTasks, startCeleryWorker, startRedis, waitFor } from "../helpers/celery";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { type EventWatch, watchCeleryEvents } from "./event-watch";
import { inspectWorker } from "./inspect";
import { addGap, ctx, insertTask, insertWorker, setBridge } from "./source-fixture";

let t: TestDatabase;
let redis: RedisServer;
let worker: CeleryWorker;
let watch: EventWatch;
let source: Source;
let config: CelerySourceConfig;
const S = "tasks";
const op = () => ({ control: t.db, actor: { name: "ops@example.com", roles: ["operator"] }, reason: "test", auditPrefix: "celery" });
const audit = (id: number) => t.db.query<Record<string, unknown>>("select action, source, target_keys, filter, affected, skipped, outcome, reason, details from audit_events where id = $1", [id]).then((r) => r[0]);

beforeAll(async () => {
  t = await createTestDatabase("celery_control");
  redis = await startRedis();
  watch = await watchCeleryEvents(redis.url(0));
  worker = await startCeleryWorker({ broker: redis.url(0), name: `ctl${process.pid}`, pool: "prefork", concurrency: 2 });
  config = { name: S, kind: "celery", broker: redis.url(0), resultBackend: null, readOnly: false };
  source = await createCelerySource(config, t.db);
  await insertWorker(t.db, S, { hostname: worker.hostname, heartbeatAgo: 0, pool: "prefork", concurrency: 2 });
}, 120_000);

afterAll(async () => {
  await watch?.close();
  await worker?.stop();
  await redis?.dispose();
  await t?.drop();
});

describe("health", () => {
  it("ok only while the broker answers its PING and the bridge is listening; says which is wrong otherwise", async () => {
    expect(await source.health()).toMatchObject({ ok: false, error: "no Celery bridge has listened to this broker yet", breaker: "closed" });
    await setBridge(t.db, S, { connected: true });
    const ok = await source.health();
    expect(ok).toMatchObject({ ok: true, error: null });
    expect(ok.latencyMs).toEqual(expect.any(Number));
    await setBridge(t.db, S, { connected: false, lastError: "Connection reset by peer" });
    expect(await source.health()).toMatchObject({ ok: false, error: "the Celery bridge is not connected (Connection reset by peer)" });
    await addGap(t.db, S, 30, null, "the bridge lost the broker");
    expect((await source.health()).error).toMatch(/^the bridge has recorded no events since .* \(the bridge lost the broker\)$/);
    await t.db.query("delete from celery_event_gaps where source = $1", [S]);
    await setBridge(t.db, S, { connected: true });
    const down = await createCelerySource({ ...config, broker: "redis://:hunter2@127.0.0.1:1/0" }, t.db);
    const h = await down.health();
    expect(h).toMatchObject({ ok: false, latencyMs: null, error: expect.stringMatching(/^redis 127\.0\.0\.1:1\/0: .*(ECONNREFUSED|connect)/) });
    expect(h.error).not.toContain("hunter2");
  });
});

describe("cancel = revoke", () => {
  it("a task sent with a countdown, revoked through the source, is never run", async () => {
    const [id] = sendTasks(redis.url(0), [{ name: "fixture.add", args: [2, 3], countdown: 6 }]);
    await watch.waitFor("task-received", (e) => e.type === "task-received" && e.uuid === id);
    await insertTask(t.db, S, { id, state: "RECEIVED", worker: worker.hostname, receivedAgo: 0, seenAgo: 0 });

    expect(await source.preview({ action: "cancel", target: { keys: [id] } })).toEqual({ matched: 1, matchedCapped: false, willChange: 1, skipped: {} });
    const r = await source.apply({ action: "cancel", target: { keys: [id] } }, ctx(t.db, { reason: "superseded" }));
    expect(r).toMatchObject({ matched: 1, affected: 1, skipped: {}, keys: [id] });
    expect(await audit(r.auditIds[0])).toMatchObject({
      action: "jobs.cancel",
      source: S,
      target_keys: [id],
      affected: 1,
      outcome: "ok",
      reason: "superseded",
      details: { command: "revoke", broker: `redis 127.0.0.1:${redis.port}/0`, replies: [{ worker: worker.hostname, ok: `tasks ${id} flagged as revoked`, error: null }] },
    });
    expect(inspectWorker(redis.url(0), worker.hostname, "revoked")).toContain(id);
    // At its ETA the worker discards it and says so; it never started.
    const revoked = await watch.waitFor("task-revoked", (e) => e.type === "task-revoked" && e.uuid === id);
    expect(revoked).toMatchObject({ expired: false, terminated: false });
    expect(watch.events.filter((e) => e.uuid === id && (e.type === "task-started" || e.type === "task-succeeded"))).toEqual([]);
    expect(worker.output()).not.toContain(`fixture.add[${id}] succeeded`);
  });

  it("skips a running task (a revoke does not stop it: Terminate does) and a finished one, saying why", async () => {
    const running = await insertTask(t.db, S, { state: "STARTED", worker: worker.hostname, startedAgo: 1 });
    const done = await insertTask(t.db, S, { state: "SUCCESS", finishedAgo: 1 });
    const p = await source.preview({ action: "cancel", target: { keys: [running, done] } });
    expect(p).toEqual({ matched: 2, matchedCapped: false, willChange: 0, skipped: { "running: a revoke does not stop a running task (use Terminate)": 1, "already finished (SUCCESS)": 1 } });
    const r = await source.apply({ action: "cancel", target: { keys: [running, done] } }, ctx(t.db));
    expect(r).toMatchObject({ affected: 0, auditIds: [], skipped: p.skipped });
  });
});

describe("terminate", () => {
  it("a running fixture.sleep gets SIGTERM: the worker reports it REVOKED (terminated) and no longer runs it", async () => {
    const [id] = sendTasks(redis.url(0), [{ name: "fixture.sleep", args: [60] }]);
    await watch.waitFor("task-started", (e) => e.type === "task-started" && e.uuid === id);
    await insertTask(t.db, S, { id, name: "fixture.sleep", state: "STARTED", worker: worker.hostname, startedAgo: 0, seenAgo: 0 });
    expect(JSON.stringify(inspectWorker(redis.url(0), worker.hostname, "active"))).toContain(id);

    const r = await terminateCeleryTask(config, op(), id);
    expect(r).toMatchObject({ command: "revoke", destination: [worker.hostname], acknowledged: true, message: `worker ${worker.hostname} acknowledged: terminate: ${id}` });
    const ev = await watch.waitFor("task-revoked (terminated)", (e) => e.type === "task-revoked" && e.uuid === id);
    expect(ev).toMatchObject({ terminated: true, signum: 15, expired: false });
    expect(JSON.stringify(inspectWorker(redis.url(0), worker.hostname, "active"))).not.toContain(id);
    expect(await audit(r.auditId)).toMatchObject({ action: "celery.terminate", source: S, target_keys: [id], affected: 1, outcome: "ok", details: { command: "revoke", terminate: true, signal: "SIGTERM", destination: [worker.hostname] } });
  });

  it("refuses a task that is not running (cancel revokes it) and one Jobdeck does not know", async () => {
    const pending = await insertTask(t.db, S, { state: "PENDING" });
    await expect(terminateCeleryTask(config, op(), pending)).rejects.toThrow(`task ${pending} is PENDING, not running: terminate stops a running task; cancel (revoke) it so it never starts`);
    await expect(terminateCeleryTask(config, op(), "no-such-task")).rejects.toMatchObject({ code: "not_found" });
    await expect(terminateCeleryTask({ ...config, readOnly: true }, op(), pending)).rejects.toThrow(/cannot do operation:terminate: configured read-only/);
  });
});

describe("worker operations get the worker's reply", () => {
  it("rate_limit: ok for a registered task, the worker's refusal for an unknown one; * asks every worker", async () => {
    const ok = await setCeleryRateLimit(config, op(), worker.hostname, "fixture.add", "10/m");
    expect(ok).toMatchObject({ acknowledged: true, replies: [{ worker: worker.hostname, ok: "new rate limit set successfully", error: null }] });
    expect(worker.output()).toContain("New rate limit for tasks of type fixture.add: 10/m.");
    expect(await audit(ok.auditId)).toMatchObject({ action: "celery.rate_limit", target_keys: null, filter: { worker: worker.hostname }, affected: 1, outcome: "ok", details: { task_name: "fixture.add", rate_limit: "10/m" } });
    const unknown = await setCeleryRateLimit(config, op(), worker.hostname, "fixture.nope", "1/s");
    expect(unknown).toMatchObject({ acknowledged: false, message: `worker ${worker.hostname} refused: unknown task` });
    expect(await audit(unknown.auditId)).toMatchObject({ affected: 0, skipped: 1, outcome: "ok" });
    // "0" removes the limit (Celery builds no token bucket for a zero rate).
    const all = await setCeleryRateLimit(config, op(), "*", "fixture.add", "0");
    expect(all).toMatchObject({ destination: null, acknowledged: true, replies: [{ worker: worker.hostname, ok: "new rate limit set successfully" }] });
    expect(worker.output()).toContain("New rate limit for tasks of type fixture.add: 0.");
  });

  it("pool_grow and pool_shrink: the prefork pool grows, then shrinks (inspect stats says so)", async () => {
    const size = () => (inspectWorker(redis.url(0), worker.hostname, "stats") as { pool: { processes: number[] } }).pool.processes.length;
    expect(size()).toBe(2);
    expect(await resizeCeleryPool(config, op(), worker.hostname, "grow", 1)).toMatchObject({ command: "pool_grow", acknowledged: true, message: `worker ${worker.hostname} acknowledged: pool will grow` });
    // "will grow": the pool starts its process after replying.
    await waitFor(() => size() === 3, "the pool to reach 3 processes");
    expect(await resizeCeleryPool(config, op(), worker.hostname, "shrink", 1)).toMatchObject({ command: "pool_shrink", acknowledged: true, message: `worker ${worker.hostname} acknowledged: pool will shrink` });
    await waitFor(() => size() === 2, "the pool to shrink back to 2 processes");
  });

  it("a worker that is gone: no worker replied within 2 s, recorded as such", async () => {
    await insertWorker(t.db, S, { hostname: "ghost@nowhere", heartbeatAgo: 600 });
    const r = await resizeCeleryPool(config, op(), "ghost@nowhere", "grow", 1);
    expect(r).toMatchObject({ acknowledged: false, replies: [], message: "no worker replied within 2 s (ghost@nowhere may be offline)" });
    expect(await audit(r.auditId)).toMatchObject({ affected: 0, outcome: "ok", details: { result: "no worker replied within 2 s (ghost@nowhere may be offline)" } });
    await expect(resizeCeleryPool(config, op(), "never@seen", "grow", 1)).rejects.toThrow(`worker never@seen has never been seen in source "${S}"`);
  });
});

describe("retry = an exact re-send", () => {
  it("re-sends fixture.add by name with the same args and kwargs as a new task the worker runs, linked to the old one", async () => {
    const old = await insertTask(t.db, S, { state: "FAILURE", name: "fixture.add", args: "[2]", kwargs: "{'y': 3}", argsJson: [2], kwargsJson: { y: 3 }, queue: "celery", exception: "ConnectionError()", finishedAgo: 5 });
    const r = await source.apply({ action: "retry", target: { keys: [old] } }, ctx(t.db, { reason: "db back" }));
    expect(r).toMatchObject({ matched: 1, affected: 1, skipped: {}, keys: [old] });
    const row = await audit(r.auditIds[0]);
    const newId = (row.details as { retried_as: Record<string, string> }).retried_as[old];
    expect(newId).toMatch(/^[0-9a-f-]{36}$/);
    expect(row).toMatchObject({ action: "jobs.retry", source: S, target_keys: [old, newId], affected: 1, outcome: "ok", reason: "db back", details: { command: "send_task" } });
    // Recorded at once as PENDING, linked, before any event came.
    const [fresh] = await t.db.query<Record<string, unknown>>("select state, name, args, kwargs, queue, retry_of, root_id from celery_tasks where source = $1 and task_id = $2", [S, newId]);
    expect(fresh).toEqual({ state: "PENDING", name: "fixture.add", args: "[2]", kwargs: "{'y': 3}", queue: "celery", retry_of: old, root_id: newId });
    expect((await source.getJob(old))!.links).toEqual([{ label: "re-sent as (retried as)", key: newId, kind: "fixture.add", state: "pending" }]);
    expect((await source.getJob(newId))!.links).toEqual([{ label: "re-sent from (retry of)", key: old, kind: "fixture.add", state: "dead" }]);
    // The worker runs the new task with exactly those arguments.
    const received = await watch.waitFor("task-received of the re-sent task", (e) => e.type === "task-received" && e.uuid === newId);
    expect(received).toMatchObject({ name: "fixture.add", args: "[2]", kwargs: "{'y': 3}", retries: 0, root_id: newId, parent_id: null });
    expect(await watch.waitFor("task-succeeded", (e) => e.type === "task-succeeded" && e.uuid === newId)).toMatchObject({ result: "5" });
  });

  it("re-sends only where exact: arguments known only as repr text, a scheduled retry, a running task are skipped with why", async () => {
    const repr = await insertTask(t.db, S, { state: "FAILURE", args: "[<object at 0x7f>]", argsJson: undefined });
    const retrying = await insertTask(t.db, S, { state: "RETRY", argsJson: [1, 2], kwargsJson: {} });
    const running = await insertTask(t.db, S, { state: "STARTED", argsJson: [1, 2], kwargsJson: {} });
    const noQueue = await insertTask(t.db, S, { state: "REVOKED", argsJson: [1, 2], kwargsJson: {}, queue: null });
    const d = (await source.getJob(repr))!;
    expect(d.canRetry).toBe(false);
    const r = await source.apply({ action: "retry", target: { keys: [repr, retrying, running, noQueue] } }, ctx(t.db));
    expect(r).toMatchObject({ matched: 4, affected: 0, auditIds: [] });
    expect(r.skipped).toEqual({
      "its arguments are known only as Celery's repr text, not as values: it cannot be re-sent exactly": 1,
      "a retry is already scheduled: Celery runs it again by itself": 1,
      "running: Celery is running it now": 1,
      "its queue is unknown: Celery names it only in task-sent events (task_send_sent_event)": 1,
    });
  });
});

describe("shutdown", () => {
  it("an admin's shutdown stops the worker (Celery sends no reply; the worker's offline event says it left)", async () => {
    const victim = await startCeleryWorker({ broker: redis.url(0), name: `victim${process.pid}`, pool: "solo" });
    try {
      await insertWorker(t.db, S, { hostname: victim.hostname, heartbeatAgo: 0 });
      const r = await shutdownCeleryWorker(config, { ...op(), actor: { name: "boss@example.com", roles: ["admin"] } }, victim.hostname);
      expect(r).toMatchObject({ command: "shutdown", destination: [victim.hostname], acknowledged: true, replies: [], message: "sent (Celery sends no reply to this command)" });
      await watch.waitFor("worker-offline", (e) => e.type === "worker-offline" && e.hostname === victim.hostname);
      await new Promise<void>((resolve) => (victim.process.exitCode !== null ? resolve() : victim.process.once("exit", () => resolve())));
      expect(await audit(r.auditId)).toMatchObject({ action: "celery.shutdown", filter: { worker: victim.hostname }, affected: 1, outcome: "ok" });
      // The other worker is still there.
      expect(inspectWorker(redis.url(0), worker.hostname, "stats")).not.toBeNull();
    } finally {
      await victim.stop();
    }
    await expect(shutdownCeleryWorker(config, op(), "*")).rejects.toThrow("shut down one worker at a time");
  });
});
