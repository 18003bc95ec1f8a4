// The graphile-worker source reads what a real graphile-worker 0.17 left behind: its own workers
// completed some jobs (gone), failed some with retries left, exhausted others, and hold one
// locked; the source lists them with derived states, errors and attempts, filters them, pages
// both ways, shows one in detail, and summarises them with the counts the worker produced.
import type { Runner, WorkerUtils } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobFilterError } from "../../../lib/filters/job-filter";
import { graphileSummary } from "../../../lib/sources/graphile/summary";
import { CapabilityError, type Source, type SourceJob } from "../../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { installGraphileWorker, openSource, runOnceWith, sourceConfig, startWorker, waitFor } from "./fixture";

let t: TestDatabase;
let utils: WorkerUtils;
let source: Source;
let runner: Runner;
let releaseSleepy: () => void = () => {};
const ids: Record<string, string[]> = {};

async function add(name: string, task: string, payload: unknown, spec: Parameters<WorkerUtils["addJob"]>[2] = {}) {
  const job = await utils.addJob(task, payload, spec);
  (ids[name] ??= []).push(String(job.id));
}

const all = async (limit = 100): Promise<SourceJob[]> => (await source.listJobs({ criteria: { states: [] }, limit })).jobs;
const keysOf = (jobs: SourceJob[]) => jobs.map((j) => j.key);
const byKey = async (key: string) => (await all()).find((j) => j.key === key)!;

beforeAll(async () => {
  t = await createTestDatabase("gw_reads");
  utils = await installGraphileWorker(t.url);
  for (let i = 0; i < 3; i++) await add("ok", "ok", { n: i });
  await add("flaky", "flaky", { user_id: 7 }, { maxAttempts: 5 });
  await add("flaky", "flaky", { user_id: 8 }, { maxAttempts: 5 });
  await add("doomed", "doomed", { user_id: 9 }, { maxAttempts: 1, jobKey: "doomed-9" });
  await add("later", "later", {}, { runAt: new Date(Date.now() + 3_600_000), priority: -3 });
  await add("later", "later", {}, { runAt: new Date(Date.now() + 3_600_000) });
  await add("unserved", "unserved", { to: "a@example.com" }, { queueName: "mailq" });
  await add("unserved", "unserved", { to: "b@example.com" }, { queueName: "mailq" });
  await add("sleepy", "sleepy", {});
  // The real worker: ok succeeds (and is deleted), flaky and doomed throw.
  await runOnceWith(t.url, {
    ok: async () => {},
    flaky: async () => {
      throw new Error("flaky: upstream 503\n    at callUpstream (upstream.ts:12)");
    },
    doomed: async () => {
      throw new Error("doomed: Bad Input in field x");
    },
  });
  const gate = new Promise<void>((r) => (releaseSleepy = r));
  runner = await startWorker(t.url, { sleepy: () => gate });
  source = await openSource(sourceConfig(), t.db, t.url);
  await waitFor("the sleepy job to be locked", async () => (await source.getJob(ids.sleepy[0]))?.job.state === "running");
});

afterAll(async () => {
  releaseSleepy();
  await runner?.stop();
  await utils?.release();
  await source?.close();
  await t?.drop();
});

describe("graphile-worker source: lists", () => {
  it("lists what the worker left, newest first, with derived states, attempts and error lines (completed jobs are gone)", async () => {
    const jobs = await all();
    const expected = [...ids.flaky, ...ids.doomed, ...ids.later, ...ids.unserved, ...ids.sleepy].sort((a, b) => Number(b) - Number(a));
    expect(keysOf(jobs)).toEqual(expected);
    for (const k of ids.ok) expect(await source.getJob(k)).toBeNull();

    const flaky = await byKey(ids.flaky[0]);
    expect(flaky).toMatchObject({ kind: "flaky", queue: "", state: "failed", attempts: 1, maxAttempts: 5, errorLine: "flaky: upstream 503", worker: null, finishedAt: null });
    expect(["retry scheduled", "retry due"]).toContain(flaky.nativeState);
    expect(await byKey(ids.doomed[0])).toMatchObject({ state: "dead", nativeState: "permanently failed", attempts: 1, maxAttempts: 1, errorLine: "doomed: Bad Input in field x" });
    expect(await byKey(ids.later[0])).toMatchObject({ state: "pending", nativeState: "scheduled", attempts: 0, priority: 3 });
    expect(await byKey(ids.unserved[0])).toMatchObject({ state: "pending", nativeState: "waiting", queue: "mailq", errorLine: null });
    const sleepy = await byKey(ids.sleepy[0]);
    expect(sleepy).toMatchObject({ state: "running", nativeState: "locked", attempts: 1 });
    expect(sleepy.worker).toMatch(/^pool-/);
    expect(new Date(sleepy.lockedUntil!).getTime() - new Date(sleepy.startedAt!).getTime()).toBe(4 * 3600 * 1000);
  });

  it("filters by state, task, queue, worker, error, payload, id and time", async () => {
    const list = async (criteria: object) => keysOf((await source.listJobs({ criteria: { states: [], ...criteria }, limit: 100 })).jobs).sort();
    const sorted = (k: string[]) => [...k].sort();
    expect(await list({ states: ["failed"] })).toEqual(sorted(ids.flaky));
    expect(await list({ states: ["dead", "running"] })).toEqual(sorted([...ids.doomed, ...ids.sleepy]));
    expect(await list({ states: ["pending"] })).toEqual(sorted([...ids.later, ...ids.unserved]));
    expect(await list({ states: ["completed"] })).toEqual([]);
    expect(await list({ kind: "later" })).toEqual(sorted(ids.later));
    expect(await list({ queue: "mailq" })).toEqual(sorted(ids.unserved));
    const worker = (await byKey(ids.sleepy[0])).worker!;
    expect(await list({ worker })).toEqual(ids.sleepy);
    expect(await list({ errorPrefix: "flaky:" })).toEqual(sorted(ids.flaky));
    expect(await list({ errorPrefix: "Flaky:" })).toEqual([]);
    expect(await list({ errorContains: "bad input" })).toEqual(ids.doomed);
    expect(await list({ payloadContains: { user_id: 7 } })).toEqual([ids.flaky[0]]);
    expect(await list({ payloadContains: { to: "b@example.com" } })).toEqual([ids.unserved[1]]);
    expect(await list({ id: Number(ids.doomed[0]) })).toEqual(ids.doomed);
    expect((await list({ createdSince: { ago: 3600 } })).length).toBe(8);
    expect(await list({ createdUntil: { ago: 3600 } })).toEqual([]);
    expect((await list({ sinceSeconds: 3600 })).length).toBe(8);
  });

  it("refuses filters graphile-worker cannot answer, naming the field and why", async () => {
    const err = await source.listJobs({ criteria: { states: [], finishedSince: { ago: 60 } }, limit: 10 }).catch((e) => e);
    expect(err).toBeInstanceOf(CapabilityError);
    expect(err.capability).toBe("filter:finishedSince");
    expect(err.reason).toMatch(/deletes completed jobs/);
    await expect(source.countJobs({ states: [], campaignId: 1 }, 10)).rejects.toMatchObject({ capability: "filter:campaignId" });
  });

  it("pages with opaque cursors both ways, and rejects a cursor that is not its own", async () => {
    const everything = keysOf(await all());
    const p1 = await source.listJobs({ criteria: { states: [] }, limit: 3 });
    expect(keysOf(p1.jobs)).toEqual(everything.slice(0, 3));
    expect(p1.prev).toBeNull();
    const p2 = await source.listJobs({ criteria: { states: [] }, limit: 3, before: p1.next! });
    expect(keysOf(p2.jobs)).toEqual(everything.slice(3, 6));
    const p3 = await source.listJobs({ criteria: { states: [] }, limit: 3, before: p2.next! });
    expect(keysOf(p3.jobs)).toEqual(everything.slice(6, 8));
    expect(p3.next).toBeNull();
    const back2 = await source.listJobs({ criteria: { states: [] }, limit: 3, after: p3.prev! });
    expect(keysOf(back2.jobs)).toEqual(keysOf(p2.jobs));
    const back1 = await source.listJobs({ criteria: { states: [] }, limit: 3, after: back2.prev! });
    expect(keysOf(back1.jobs)).toEqual(keysOf(p1.jobs));
    expect(back1.prev).toBeNull();
    // A filtered walk pages the same way.
    const f1 = await source.listJobs({ criteria: { states: ["pending"] }, limit: 2 });
    const f2 = await source.listJobs({ criteria: { states: ["pending"] }, limit: 2, before: f1.next! });
    expect([...keysOf(f1.jobs), ...keysOf(f2.jobs)].sort()).toEqual([...ids.later, ...ids.unserved].sort());
    await expect(source.listJobs({ criteria: { states: [] }, limit: 3, before: "42" })).rejects.toBeInstanceOf(JobFilterError);
  });

  it("counts matching jobs up to a cap", async () => {
    expect(await source.countJobs({ states: [] }, 100)).toEqual({ value: 8, capped: false });
    expect(await source.countJobs({ states: [] }, 5)).toEqual({ value: 5, capped: true });
    expect(await source.countJobs({ states: ["failed"], kind: "flaky" }, 100)).toEqual({ value: 2, capped: false });
  });
});

describe("graphile-worker source: detail, workers, summary, info", () => {
  it("shows one job: payload, full last error, job key and flags, with no attempt history", async () => {
    const d = (await source.getJob(ids.flaky[0]))!;
    expect(d.job.payload).toEqual({ user_id: 7 });
    expect(d.job.lastError).toBe("flaky: upstream 503\n    at callUpstream (upstream.ts:12)");
    expect(d.attempts).toBeNull();
    expect(d.canRetry).toBe(true);
    expect(d.recoveryHint).toMatch(/^Attempt 1 of 5 failed/);
    const dead = (await source.getJob(ids.doomed[0]))!;
    expect(dead.extra).toContainEqual({ label: "job key", value: "doomed-9" });
    expect(dead.recoveryHint).toMatch(/^Permanently failed after 1 attempt/);
    const running = (await source.getJob(ids.sleepy[0]))!;
    expect(running.isStale).toBe(false);
    expect(running.canRetry).toBe(false);
    expect(running.workerOnline).toBeNull();
    expect(running.recoveryHint).toMatch(/^Locked by pool-/);
    expect(await source.getJob("999999")).toBeNull();
    expect(await source.getJob("abc")).toBeNull();
  });

  it("parses keys: positive bigints only", () => {
    expect(source.parseKey("42")).toBe("42");
    expect(source.parseKey(" 42 ")).toBe("42");
    for (const bad of ["0", "-1", "042", "1.5", "abc", "", "9223372036854775808"]) expect(source.parseKey(bad)).toBeNull();
    expect(source.parseKey("9223372036854775807")).toBe("9223372036854775807");
  });

  it("lists the worker pools holding locks (status unknown) and no stale locks", async () => {
    const workers = await source.listWorkers();
    expect(workers).toHaveLength(1);
    expect(workers[0]).toMatchObject({ status: "unknown", runningCount: 1, lastHeartbeatAt: null });
    expect(workers[0].running.map((r) => r.key)).toEqual(ids.sleepy);
    expect(await source.listStale()).toEqual([]);
  });

  it("summarises with the counts the worker produced, cached for a few seconds", async () => {
    const s = await source.summary();
    expect(s.counts).toEqual({
      pending: { value: 4, capped: false },
      running: { value: 1, capped: false },
      failed: { value: 2, capped: false },
      dead: { value: 1, capped: false },
    });
    // The truth, counted from the full list.
    const truth: Record<string, number> = {};
    for (const j of await all()) truth[j.state] = (truth[j.state] ?? 0) + 1;
    expect(Object.fromEntries(Object.entries(s.counts).map(([k, v]) => [k, v!.value]).filter(([, v]) => v))).toEqual(truth);
    expect(s).toMatchObject({ failedLastHour: null, completedLastHour: null, workers: null, stale: 0 });
    expect(s.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(s.queues.map((q) => [q.queue, q.pending, q.running, q.failed])).toEqual([
      ["mailq", 2, 0, 0],
      ["", 2, 1, 2],
    ]);
    expect(s.queues[1].note).toMatch(/1 permanently failed/);
    await utils.addJob("unserved", {});
    expect(await source.summary()).toBe(s);
  });

  it("counts waiting jobs over the newest ones only when the table is larger, but failed, dead and locked ones wherever they are", async () => {
    const newest = (await source.listJobs({ criteria: { states: [] }, limit: 3 })).jobs;
    const s = await graphileSummary(t.db, "graphile_worker", 3);
    expect(s.counts).toEqual({
      pending: { value: newest.filter((j) => j.state === "pending").length, capped: true },
      running: { value: 1, capped: false },
      failed: { value: 2, capped: false },
      dead: { value: 1, capped: false },
    });
    expect(s.queues.find((q) => q.queue === "")?.note).toMatch(/waiting jobs counted over the newest 3 jobs/);
  });

  it("describes itself: capabilities with reasons, filters, state legend, schema revision, location without secrets", async () => {
    const info = await source.info();
    expect(info).toMatchObject({ name: "mail", kind: "graphile-worker", library: "graphile-worker", libraryVersion: null, schemaVersion: "19", readOnly: false, readOnlyReason: null });
    expect(info.location).toMatch(/^postgres 127\.0\.0\.1:5432\/jobdeck_test_gw_reads_\w+ schema=graphile_worker$/);
    expect(info.capabilities.history).toEqual({ supported: false, reason: "graphile-worker deletes completed jobs: there is no history" });
    expect(info.capabilities.heartbeats.supported).toBe(false);
    expect(info.capabilities.workers.supported).toBe(false);
    expect(info.capabilities.attempts.supported).toBe(false);
    expect(info.capabilities.charts.supported).toBe(false);
    for (const c of ["retry", "cancel", "priority", "runNow", "recoverStale", "stale"] as const) expect(info.capabilities[c]).toEqual({ supported: true });
    expect(Object.keys(info.unsupportedFilters).sort()).toEqual(["campaignId", "finishedSince", "finishedUntil"]);
    expect(info.filterNotes?.worker).toMatch(/running jobs only/);
    expect(info.stateMap.find((m) => m.native === "permanently failed")?.state).toBe("dead");
    expect(await source.series("24h")).toBeNull();
    const h = await source.health();
    expect(h).toMatchObject({ ok: true, error: null, breaker: "closed" });
    expect(h.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
