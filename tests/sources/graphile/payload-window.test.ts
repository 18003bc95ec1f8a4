// The payload filter of a graphile-worker source parses each candidate's json payload, so one
// statement tests at most 20,000 jobs: a match beyond that window comes on a later page (the
// page before is short, its `next` continues the scan), counts say "at least", previews say
// capped, and a bulk action walks window after window until every match is changed.
import type { WorkerUtils } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAYLOAD_WINDOW } from "../../../lib/sources/graphile/scan";
import type { Source } from "../../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { ctx, installGraphileWorker, openSource, sourceConfig } from "./fixture";

let t: TestDatabase;
let utils: WorkerUtils;
let source: Source;
let oldNeedle: string;
let newNeedle: string;
const needle = { states: [], payloadContains: { needle: true } };

beforeAll(async () => {
  t = await createTestDatabase("gw_payload");
  utils = await installGraphileWorker(t.url);
  oldNeedle = String((await utils.addJob("find", { needle: true })).id);
  const hay = PAYLOAD_WINDOW + 5_000;
  for (let i = 0; i < hay; i += 5_000) await utils.addJobs(Array.from({ length: 5_000 }, (_, k) => ({ identifier: "hay", payload: { n: i + k } })));
  newNeedle = String((await utils.addJob("find", { needle: true })).id);
  source = await openSource(sourceConfig(), t.db, t.url);
});

afterAll(async () => {
  await utils?.release();
  await source?.close();
  await t?.drop();
});

describe("graphile-worker source: the payload window", () => {
  it("pages past the window: a short first page whose next cursor continues the scan", async () => {
    const p1 = await source.listJobs({ criteria: needle, limit: 10 });
    expect(p1.jobs.map((j) => j.key)).toEqual([newNeedle]);
    expect(p1.next).not.toBeNull();
    const p2 = await source.listJobs({ criteria: needle, limit: 10, before: p1.next! });
    expect(p2.jobs.map((j) => j.key)).toEqual([oldNeedle]);
    expect(p2.next).toBeNull();
    // Back up: the page above the old needle is the window it scanned, then the first page.
    const back = await source.listJobs({ criteria: needle, limit: 10, after: p2.prev! });
    expect(back.jobs).toEqual([]);
    const first = await source.listJobs({ criteria: needle, limit: 10, after: back.prev! });
    expect(first.jobs.map((j) => j.key)).toEqual([newNeedle]);
    expect(first.prev).toBeNull();
  });

  it("needs no second page when the other filters narrow the candidates below the window", async () => {
    const { jobs, next } = await source.listJobs({ criteria: { ...needle, kind: "find" }, limit: 10 });
    expect(jobs.map((j) => j.key)).toEqual([newNeedle, oldNeedle]);
    expect(next).toBeNull();
  });

  it("counts and previews say 'at least' past the window; apply walks every window", async () => {
    expect(await source.countJobs(needle, 100)).toEqual({ value: 1, capped: true });
    expect(await source.countJobs({ ...needle, kind: "find" }, 100)).toEqual({ value: 2, capped: false });
    expect(await source.preview({ action: "cancel", target: { criteria: needle } })).toEqual({ matched: 1, matchedCapped: true, willChange: 1, skipped: {} });
    // A bulk guard is told the exact number, beyond the window.
    let asked = 0;
    const refuse = (n: number) => {
      asked = n;
      throw new Error("no");
    };
    await expect(source.apply({ action: "cancel", target: { criteria: needle } }, ctx(t.db, { guard: refuse }))).rejects.toThrow("no");
    expect(asked).toBe(2);
    const r = await source.apply({ action: "cancel", target: { criteria: needle } }, ctx(t.db));
    expect(r.affected).toBe(2);
    expect(r.keys.sort()).toEqual([newNeedle, oldNeedle].sort());
    for (const k of [newNeedle, oldNeedle]) expect((await source.getJob(k))!.job.state).toBe("dead");
  });
});
