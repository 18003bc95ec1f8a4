// The Celery source's reads over the celery_* tables (rows inserted as the bridge writes them,
// ./source-fixture): Celery states mapped to Jobdeck's with the Celery word beside, every filter
// (and the two it refuses, by name), keyset cursors both ways, capped counts, a task's detail
// (reprs, real values, events as timeline and attempts, links), workers ONLINE/OFFLINE by Celery's
// 2 × freq rule, tasks in flight on offline workers as stale, the summary, info and its banners.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobFilterError } from "../../lib/filters/job-filter";
import { redaction, redactKeys } from "../../lib/redact";
import { createCelerySource } from "../../lib/sources/celery";
import type { CelerySourceConfig } from "../../lib/sources/config";
import { CapabilityError, type Source } from "../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { addGap, insertEvent, insertTask, insertWorker, setBridge } from "./source-fixture";

let t: TestDatabase;
let source: Source;
const S = "tasks";
// No broker is contacted by reads; the URL carries a password that must never show.
const config: CelerySourceConfig = { name: S, kind: "celery", broker: "redis://:hunter2@127.0.0.1:1/3", resultBackend: null, readOnly: false };
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDatabase("celery_reads");
  source = await createCelerySource(config, t.db);
  // Another source's rows never show here.
  await insertTask(t.db, "other", { state: "FAILURE", name: "fixture.fail" });
  await insertWorker(t.db, S, { hostname: "alive@h", heartbeatAgo: 1, freq: 2, processed: 12, active: 1, pool: "prefork", concurrency: 4 });
  await insertWorker(t.db, S, { hostname: "slow@h", heartbeatAgo: 5, freq: 10 });
  await insertWorker(t.db, S, { hostname: "dead@h", heartbeatAgo: 5, freq: 2, swVer: "5.2.7" });
  await insertWorker(t.db, S, { hostname: "gone@h", heartbeatAgo: 2, freq: 2, offlineAgo: 1 });
  ids.pending = await insertTask(t.db, S, { state: "PENDING", seenAgo: 300, kwargs: "{'user_id': 42, 'token': 'tok_secret'}" });
  ids.received = await insertTask(t.db, S, { state: "RECEIVED", worker: "alive@h", seenAgo: 200, receivedAgo: 199, args: "['a', 2]" });
  ids.started = await insertTask(t.db, S, { state: "STARTED", worker: "alive@h", name: "fixture.sleep", args: "[30]", seenAgo: 100, receivedAgo: 99, startedAgo: 98 });
  ids.stale = await insertTask(t.db, S, { state: "STARTED", worker: "dead@h", name: "fixture.sleep", seenAgo: 90, receivedAgo: 90, startedAgo: 89 });
  ids.staleReceived = await insertTask(t.db, S, { state: "RECEIVED", worker: "gone@h", seenAgo: 80, receivedAgo: 80 });
  ids.retry = await insertTask(t.db, S, { state: "RETRY", name: "fixture.flaky", worker: "alive@h", retries: 1, exception: "RuntimeError('flaky k attempt 1')", seenAgo: 70, receivedAgo: 70, startedAgo: 69 });
  ids.success = await insertTask(t.db, S, { state: "SUCCESS", worker: "alive@h", result: "5", runtime: 0.0031, seenAgo: 60, receivedAgo: 60, startedAgo: 59, finishedAgo: 59, argsJson: [2, 3], kwargsJson: {} });
  ids.failure = await insertTask(t.db, S, {
    state: "FAILURE",
    name: "fixture.fail",
    worker: "slow@h",
    args: "[]",
    kwargs: "{'message': 'card declined'}",
    exception: "ValueError('card declined')",
    traceback: 'Traceback (most recent call last):\n  File "tasks.py", line 3, in fail\nValueError: card declined',
    seenAgo: 50,
    receivedAgo: 50,
    startedAgo: 49,
    finishedAgo: 49,
    queue: "payments",
  });
  ids.revoked = await insertTask(t.db, S, { state: "REVOKED", seenAgo: 40, finishedAgo: 39 });
  ids.rejected = await insertTask(t.db, S, { state: "REJECTED", seenAgo: 30, finishedAgo: 29, queue: null });
  // A chain: a child of the success, and a retry (through Jobdeck) of the failure.
  ids.child = await insertTask(t.db, S, { state: "SUCCESS", parentId: ids.success, rootId: ids.success, seenAgo: 20, finishedAgo: 19 });
  ids.resent = await insertTask(t.db, S, { state: "PENDING", name: "fixture.fail", retryOf: ids.failure, seenAgo: 10 });
}, 60_000);

afterAll(async () => {
  await source?.close();
  await t?.drop();
});

const keysOf = async (criteria: Parameters<Source["listJobs"]>[0]["criteria"]) => (await source.listJobs({ criteria, limit: 100 })).jobs.map((j) => j.key);

describe("tasks list", () => {
  it("lists every task of the source newest first, Celery's state word beside Jobdeck's", async () => {
    const page = await source.listJobs({ criteria: { states: [] }, limit: 100 });
    expect(page.jobs.map((j) => j.key)).toEqual([ids.resent, ids.child, ids.rejected, ids.revoked, ids.failure, ids.success, ids.retry, ids.staleReceived, ids.stale, ids.started, ids.received, ids.pending]);
    const by = Object.fromEntries(page.jobs.map((j) => [j.key, j]));
    expect([by[ids.pending], by[ids.received], by[ids.started], by[ids.retry], by[ids.success], by[ids.failure], by[ids.revoked], by[ids.rejected]].map((j) => `${j.nativeState}→${j.state}`)).toEqual([
      "PENDING→pending",
      "RECEIVED→pending",
      "STARTED→running",
      "RETRY→failed",
      "SUCCESS→completed",
      "FAILURE→dead",
      "REVOKED→cancelled",
      "REJECTED→dead",
    ]);
    expect(by[ids.success]).toMatchObject({ kind: "fixture.add", queue: "celery", worker: "alive@h", attempts: 1, maxAttempts: null, priority: 0, runtimeMs: 3, lockedUntil: null });
    expect(by[ids.retry]).toMatchObject({ attempts: 2, errorLine: "RuntimeError('flaky k attempt 1')" });
    expect(by[ids.pending].attempts).toBe(0);
    expect(by[ids.rejected].queue).toBe("");
    expect(by[ids.started].runtimeMs).toBeGreaterThanOrEqual(97_000);
    expect(page).toMatchObject({ next: null, prev: null });
  });

  it("filters by state (Jobdeck's words → Celery's), task name, queue, worker, error and times", async () => {
    expect(await keysOf({ states: ["pending"] })).toEqual([ids.resent, ids.staleReceived, ids.received, ids.pending]);
    expect(await keysOf({ states: ["dead"] })).toEqual([ids.rejected, ids.failure]);
    expect(await keysOf({ states: ["running", "cancelled"] })).toEqual([ids.revoked, ids.stale, ids.started]);
    expect(await keysOf({ states: [], kind: "fixture.sleep" })).toEqual([ids.stale, ids.started]);
    expect(await keysOf({ states: ["completed"], kind: "fixture.add" })).toEqual([ids.child, ids.success]);
    expect(await keysOf({ states: [], queue: "payments" })).toEqual([ids.failure]);
    expect(await keysOf({ states: [], worker: "alive@h" })).toEqual([ids.success, ids.retry, ids.started, ids.received]);
    expect(await keysOf({ states: [], errorPrefix: "ValueError(" })).toEqual([ids.failure]);
    expect(await keysOf({ states: [], errorContains: "LINE 3, IN FAIL" })).toEqual([ids.failure]);
    expect(await keysOf({ states: [], finishedSince: { ago: 45 } })).toEqual([ids.child, ids.rejected, ids.revoked]);
    expect(await keysOf({ states: [], finishedUntil: { ago: 45 } })).toEqual([ids.failure, ids.success]);
    expect(await keysOf({ states: [], createdSince: { ago: 35 } })).toEqual([ids.resent, ids.child, ids.rejected]);
    expect(await keysOf({ states: [], createdUntil: { ago: 250 } })).toEqual([ids.pending]);
    expect(await keysOf({ states: [], sinceSeconds: 25 })).toEqual([ids.resent, ids.child]);
  });

  it("payload: a text search in Celery's repr of args (array) or kwargs (object)", async () => {
    expect(await keysOf({ states: [], payloadContains: { user_id: 42 } })).toEqual([ids.pending]);
    expect(await keysOf({ states: [], payloadContains: { message: "card declined" } })).toEqual([ids.failure]);
    expect(await keysOf({ states: [], payloadContains: ["a", 2] })).toEqual([ids.received]);
    expect(await keysOf({ states: [], payloadContains: [30] })).toEqual([ids.started]);
    expect(await keysOf({ states: [], payloadContains: { user_id: 43 } })).toEqual([]);
    expect((await source.info()).filterNotes?.payloadContains).toMatch(/repr text/);
  });

  it("refuses the filters Celery cannot apply, naming them: id (task ids are uuids) and campaign", async () => {
    await expect(source.listJobs({ criteria: { states: [], id: 5 }, limit: 10 })).rejects.toThrow(CapabilityError);
    await expect(source.listJobs({ criteria: { states: [], id: 5 }, limit: 10 })).rejects.toThrow(/cannot do filter:id: Celery task ids are uuids/);
    await expect(source.countJobs({ states: [], campaignId: 1 }, 10)).rejects.toThrow(/cannot do filter:campaignId/);
  });

  it("pages with opaque cursors both ways, and refuses a cursor it did not hand out", async () => {
    const all = await keysOf({ states: [] });
    const p1 = await source.listJobs({ criteria: { states: [] }, limit: 5 });
    expect(p1.jobs.map((j) => j.key)).toEqual(all.slice(0, 5));
    expect(p1.prev).toBeNull();
    const p2 = await source.listJobs({ criteria: { states: [] }, limit: 5, before: p1.next! });
    expect(p2.jobs.map((j) => j.key)).toEqual(all.slice(5, 10));
    const p3 = await source.listJobs({ criteria: { states: [] }, limit: 5, before: p2.next! });
    expect(p3.jobs.map((j) => j.key)).toEqual(all.slice(10));
    expect(p3.next).toBeNull();
    const back = await source.listJobs({ criteria: { states: [] }, limit: 5, after: p3.prev! });
    expect(back.jobs.map((j) => j.key)).toEqual(all.slice(5, 10));
    const first = await source.listJobs({ criteria: { states: [] }, limit: 5, after: back.prev! });
    expect(first.jobs.map((j) => j.key)).toEqual(all.slice(0, 5));
    // A state filter pages the same way (one index walk per Celery state word, merged).
    const pend1 = await source.listJobs({ criteria: { states: ["pending"] }, limit: 3 });
    const pend2 = await source.listJobs({ criteria: { states: ["pending"] }, limit: 3, before: pend1.next! });
    expect([...pend1.jobs, ...pend2.jobs].map((j) => j.key)).toEqual([ids.resent, ids.staleReceived, ids.received, ids.pending]);
    await expect(source.listJobs({ criteria: { states: [] }, limit: 5, before: "g.12" })).rejects.toThrow(JobFilterError);
  });

  it("counts matching tasks up to a cap", async () => {
    expect(await source.countJobs({ states: [] }, 100)).toEqual({ value: 12, capped: false });
    expect(await source.countJobs({ states: [] }, 5)).toEqual({ value: 5, capped: true });
    expect(await source.countJobs({ states: ["pending"], worker: "alive@h" }, 100)).toEqual({ value: 1, capped: false });
  });
});

describe("task detail", () => {
  it("shows every field: reprs, real values when known, result, traceback, and Celery's own columns", async () => {
    const d = (await source.getJob(ids.success))!;
    expect(d.job).toMatchObject({ key: ids.success, state: "completed", nativeState: "SUCCESS", result: "5", payload: { args: "[2, 3]", kwargs: "{}", args_json: [2, 3], kwargs_json: {} } });
    expect(d.canRetry).toBe(false);
    expect(d.extra.find((x) => x.label === "arguments")?.value).toMatch(/known as values/);
    const f = (await source.getJob(ids.failure))!;
    expect(f.job.lastError).toMatch(/^Traceback[\s\S]*ValueError: card declined$/);
    expect(f.job.payload).toEqual({ args: "[]", kwargs: "{'message': 'card declined'}" });
    expect(f.canRetry).toBe(false);
    expect(f.recoveryHint).toMatch(/cannot be retried exactly: its arguments are known only as Celery's repr text/);
    expect(await source.getJob(randomUUID())).toBeNull();
    expect(await source.getJob("not a key")).toBeNull();
  });

  it("masks secret values inside Celery's repr text for readers who may not see them", async () => {
    const d = (await source.getJob(ids.pending))!;
    const masked = redaction(false, redactKeys(undefined)).json(d.job.payload);
    expect(masked).toEqual({ args: "[2, 3]", kwargs: "{'user_id': 42, 'token': '••••'}" });
    expect(redaction(true, redactKeys(undefined)).json(d.job.payload)).toEqual({ args: "[2, 3]", kwargs: "{'user_id': 42, 'token': 'tok_secret'}" });
  });

  it("turns the task's events into its timeline and attempts (one id across retries)", async () => {
    const id = await insertTask(t.db, S, { state: "SUCCESS", name: "fixture.flaky", worker: "alive@h", retries: 1, seenAgo: 15, finishedAgo: 11 });
    await insertEvent(t.db, S, id, "task-sent", 15, "gen1@h", { queue: "celery" });
    await insertEvent(t.db, S, id, "task-received", 14.9, "alive@h", {});
    await insertEvent(t.db, S, id, "task-started", 14.8, "alive@h", {});
    await insertEvent(t.db, S, id, "task-retried", 14.5, "alive@h", { exception: "RuntimeError('flaky k attempt 0')" });
    await insertEvent(t.db, S, id, "task-received", 12, "alive@h", { retries: 1 });
    await insertEvent(t.db, S, id, "task-started", 11.9, "alive@h", {});
    await insertEvent(t.db, S, id, "task-succeeded", 11, "alive@h", { result: "'ok k'", runtime: 0.9 });
    const d = (await source.getJob(id))!;
    expect(d.timeline!.map((e) => e.type)).toEqual(["task-sent", "task-received", "task-started", "task-retried", "task-received", "task-started", "task-succeeded"]);
    expect(d.timeline![3]).toMatchObject({ worker: "alive@h", detail: "RuntimeError('flaky k attempt 0')" });
    expect(d.timeline![6].detail).toBe("runtime 0.900 s");
    expect(d.attempts).toHaveLength(2);
    expect(d.attempts![0]).toMatchObject({ attempt: 1, worker: "alive@h", outcome: "retried", error: "RuntimeError('flaky k attempt 0')" });
    expect(d.attempts![1]).toMatchObject({ attempt: 2, outcome: "succeeded", durationSeconds: 0.9 });
    expect(d.attemptsTotal).toBe(2);
    // The other tests count the seeded tasks only.
    await t.db.query("delete from celery_task_events where source = $1 and task_id = $2", [S, id]);
    await t.db.query("delete from celery_tasks where source = $1 and task_id = $2", [S, id]);
  });

  it("links the task to its root and parent, and a re-sent task to the one it retried", async () => {
    const child = (await source.getJob(ids.child))!;
    expect(child.links).toEqual([{ label: "parent", key: ids.success, kind: "fixture.add", state: "completed" }]);
    expect(child.parent).toEqual({ key: ids.success, kind: "fixture.add", state: "completed" });
    const resent = (await source.getJob(ids.resent))!;
    expect(resent.links).toEqual([{ label: "re-sent from (retry of)", key: ids.failure, kind: "fixture.fail", state: "dead" }]);
  });

  it("a task in flight on an OFFLINE worker is stale, with the hint that Celery has no lease", async () => {
    const stale = (await source.getJob(ids.stale))!;
    expect(stale).toMatchObject({ isStale: true, workerOnline: false });
    expect(stale.recoveryHint).toMatch(/^Stale: running on dead@h, which went OFFLINE at .*no lease to release/);
    const live = (await source.getJob(ids.started))!;
    expect(live).toMatchObject({ isStale: false, workerOnline: true });
    expect(live.recoveryHint).toMatch(/Terminate signals its pool process/);
    expect((await source.getJob(ids.staleReceived))!.isStale).toBe(true);
  });
});

describe("workers and stale", () => {
  it("ONLINE while now < last heartbeat + 2 × freq and no worker-offline came after it; OFFLINE otherwise", async () => {
    const workers = await source.listWorkers();
    const by = Object.fromEntries(workers.map((w) => [w.id, w]));
    expect(by["alive@h"].status).toBe("online"); // 1 s < 2 × 2 s
    expect(by["slow@h"].status).toBe("online"); // 5 s < 2 × 10 s
    expect(by["dead@h"].status).toBe("offline"); // 5 s > 2 × 2 s
    expect(by["gone@h"].status).toBe("offline"); // said goodbye after its last heartbeat
    expect(workers.map((w) => w.status)).toEqual(["online", "online", "offline", "offline"]);
    expect(by["alive@h"]).toMatchObject({ processed: 12, concurrency: 4, pid: 4242, failed: null, runningCount: 1, version: "celery 5.2.6 (Linux) · prefork pool" });
    expect(by["alive@h"].heartbeatAgeSeconds).toBeGreaterThanOrEqual(1);
    expect(by["alive@h"].running).toEqual([expect.objectContaining({ key: ids.started, kind: "fixture.sleep", leaseExpired: false })]);
    expect(by["dead@h"].running).toEqual([expect.objectContaining({ key: ids.stale, leaseExpired: true })]);
    expect(by["dead@h"].uptimeSeconds).toBeNull();
  });

  it("lists tasks STARTED or RECEIVED on OFFLINE workers as stale, the longest gone first", async () => {
    const stale = await source.listStale();
    expect(stale.map((s) => s.key)).toEqual([ids.stale, ids.staleReceived]);
    expect(stale[0]).toMatchObject({ worker: "dead@h", kind: "fixture.sleep", leaseExpired: true, workerOnline: false, maxAttempts: null, leaseRemainingSeconds: 0 });
    expect(stale[0].overdueSeconds).toBeGreaterThanOrEqual(1);
  });

  it("cannot recover stale tasks, and says why", async () => {
    const info = await source.info();
    expect(info.capabilities.recoverStale).toEqual({ supported: false, reason: expect.stringMatching(/^Celery has no lease to release: .*acks_late/) });
    await expect(source.recoverStale({ target: { all: true } }, { control: t.db, actor: { name: "x" }, reason: null, auditPrefix: "jobs" })).rejects.toThrow(/cannot do recoverStale: Celery has no lease/);
  });
});

describe("summary and info", () => {
  it("counts by Jobdeck state, the last hour, workers, stale, per-queue rows with their task names", async () => {
    const s = await source.summary();
    expect(s.counts).toEqual({
      pending: { value: 4, capped: false },
      running: { value: 2, capped: false },
      failed: { value: 1, capped: false },
      completed: { value: 2, capped: false },
      dead: { value: 2, capped: false },
      cancelled: { value: 1, capped: false },
    });
    expect(s).toMatchObject({ completedLastHour: 2, failedLastHour: 2, workers: { online: 2, offline: 2 }, stale: 2 });
    expect(s.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(299);
    const celery = s.queues.find((q) => q.queue === "celery")!;
    expect(celery).toMatchObject({ pending: 4, running: 2, failed: 1 });
    expect(celery.note).toMatch(/fixture\.add 3/);
  });

  it("info: library celery, version from the newest worker, location without the password, capabilities with reasons", async () => {
    const info = await source.info();
    expect(info).toMatchObject({ kind: "celery", library: "celery", libraryVersion: "5.2.6", schemaVersion: null, location: "redis 127.0.0.1:1/3", readOnly: false });
    expect(JSON.stringify(info)).not.toContain("hunter2");
    expect(info.capabilities.priority).toEqual({ supported: false, reason: expect.stringMatching(/^Celery cannot change a sent task's priority or ETA/) });
    expect(info.capabilities.runNow.supported).toBe(false);
    expect(info.capabilities.campaigns.supported).toBe(false);
    for (const c of ["retry", "cancel", "history", "workers", "heartbeats", "stale", "attempts"] as const) expect(info.capabilities[c], c).toEqual({ supported: true });
    expect(info.stateMap.map((m) => m.native)).toEqual(["PENDING", "RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REJECTED", "REVOKED"]);
    const ro = await createCelerySource({ ...config, readOnly: true }, t.db);
    expect((await ro.info()).capabilities.retry).toEqual({ supported: false, reason: "configured read-only (readOnly: true)" });
  });

  it("banners: no bridge yet; then an open gap first, past gaps, and how far back history goes", async () => {
    let notices = (await source.info()).notices!;
    expect(notices[0]).toMatchObject({ tone: "bad", text: expect.stringMatching(/^No Celery bridge has listened to this broker yet/) });
    await setBridge(t.db, S, { connected: false, lastError: "Connection refused" });
    await addGap(t.db, S, 3_600, 3_000, "the bridge lost the broker");
    await addGap(t.db, S, 120, null, "the bridge lost the broker");
    notices = (await source.info()).notices!;
    expect(notices.map((n) => n.tone)).toEqual(["bad", "warn", "info"]);
    expect(notices[0].text).toMatch(/^No events since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: the bridge lost the broker\./);
    expect(notices[1].text).toMatch(/^No events between .* UTC and .* UTC \(the bridge lost the broker\)/);
    expect(notices[2].text).toMatch(/^History is kept since the bridge started listening/);
    // A bridge whose process died without a word: still "connected", but silent.
    await t.db.query("delete from celery_event_gaps where source = $1 and until_at is null", [S]);
    await t.db.query("update celery_bridges set connected = true, updated_at = now() - interval '2 minutes' where source = $1", [S]);
    notices = (await source.info()).notices!;
    expect(notices[0]).toMatchObject({ tone: "bad", text: expect.stringMatching(/^The Celery bridge \(test:1\) has not reported since .* UTC: its process may have stopped/) });
    await t.db.query("update celery_bridges set updated_at = now() where source = $1", [S]);
    expect((await source.info()).notices!.map((n) => n.tone)).toEqual(["warn", "info"]);
  });
});
