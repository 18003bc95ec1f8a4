// The native source behind the seam: the same rows, counts and detail as lib/queries (it only
// delegates), string keys and opaque cursors at the door, actions that change jobs and audit them
// like the existing bulk operations, and the registry that always lists `jobdeck` first.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseJobFilter } from "../../lib/filters/job-filter";
import { listJobsPage } from "../../lib/queries/jobs";
import { createNativeSource } from "../../lib/sources/native";
import { openSources } from "../../lib/sources/registry";
import type { Source } from "../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let src: Source;
const actor = { name: "tester@example.com", roles: ["operator"] };
const criteria = (input: Record<string, unknown> = {}) => {
  const { limit: _l, beforeId: _b, afterId: _a, ...c } = parseJobFilter(input);
  return c;
};

beforeAll(async () => {
  t = await createTestDatabase("sources_native");
  src = createNativeSource(t.db);
  await t.db.query(
    `insert into jobs (kind, queue, state, attempts, last_error, finished_at)
     select case when g % 2 = 0 then 'even' else 'odd' end, 'q', case when g % 5 = 0 then 'dead' else 'pending' end,
       case when g % 5 = 0 then 3 else 0 end, case when g % 5 = 0 then 'boom ' || g end, case when g % 5 = 0 then now() end
     from generate_series(1, 25) g`,
  );
});
afterAll(async () => t?.drop());

describe("reads delegate to lib/queries", () => {
  test("pages are the native list's rows with string keys, walked with opaque cursors both ways", async () => {
    const c = criteria({ kind: "odd" });
    const direct = await listJobsPage(t.db, { ...c, limit: 5 });
    const first = await src.listJobs({ criteria: c, limit: 5 });
    expect(first.jobs.map((j) => j.key)).toEqual(direct.jobs.map((j) => String(j.id)));
    expect(first.prev).toBeNull();
    const second = await src.listJobs({ criteria: c, limit: 5, before: first.next! });
    const third = await src.listJobs({ criteria: c, limit: 5, before: second.next! });
    expect(third.jobs).toHaveLength(3);
    expect(third.next).toBeNull();
    const back = await src.listJobs({ criteria: c, limit: 5, after: third.prev! });
    expect(back.jobs.map((j) => j.key)).toEqual(second.jobs.map((j) => j.key));
    expect(first.jobs.every((j) => j.kind === "odd" && j.nativeState === j.state)).toBe(true);
  });

  test("capped counts, detail and summary", async () => {
    expect(await src.countJobs(criteria({ state: "dead" }), 3)).toEqual({ value: 3, capped: true });
    expect(await src.countJobs(criteria({ state: "dead" }), 10)).toEqual({ value: 5, capped: false });
    const [dead] = (await src.listJobs({ criteria: criteria({ state: "dead" }), limit: 1 })).jobs;
    const d = await src.getJob(dead.key);
    expect(d?.job.lastError).toMatch(/^boom \d+$/);
    expect(d?.canRetry).toBe(true);
    expect(d?.attempts).toEqual([]);
    expect(await src.getJob("999999")).toBeNull();
    expect(await src.getJob("not-a-key")).toBeNull();
    const s = await src.summary();
    expect(s.counts.pending).toEqual({ value: 20, capped: false });
    expect(s.counts.dead).toEqual({ value: 5, capped: false });
    expect(s.queues).toEqual([expect.objectContaining({ queue: "q", pending: 20 })]);
    const info = await src.info();
    expect(info).toMatchObject({ name: "jobdeck", kind: "jobdeck", readOnly: false });
    expect(Object.values(info.capabilities).every((c) => c.supported)).toBe(true);
    expect((await src.health()).ok).toBe(true);
  });
});

describe("actions", () => {
  test("preview says what apply does; apply retries by filter and audits with the prefix", async () => {
    const target = { criteria: criteria({ state: "dead", kind: "even" }) };
    const p = await src.preview({ action: "retry", target });
    expect(p).toEqual({ matched: 2, matchedCapped: false, willChange: 2, skipped: {} });
    const r = await src.apply({ action: "retry", target }, { control: t.db, actor, reason: "fixed", auditPrefix: "api.jobs" });
    expect(r.affected).toBe(2);
    const rows = await t.db.query<{ action: string; source: string; target_ids: number[]; reason: string }>(
      "select action, source, target_ids, reason from audit_events order by id desc limit 1",
    );
    expect(rows[0]).toMatchObject({ action: "api.jobs.retry", source: "jobdeck", reason: "fixed" });
    expect(rows[0].target_ids.map(String).sort()).toEqual([...r.keys].sort());
  });

  test("a guard refuses before anything changes", async () => {
    const target = { criteria: criteria({ state: "pending" }) };
    const before = await src.countJobs(target.criteria, 1000);
    await expect(
      src.apply({ action: "cancel", target }, {
        control: t.db, actor, reason: null, auditPrefix: "jobs",
        guard: (n) => {
          throw new Error(`refused ${n}`);
        },
      }),
    ).rejects.toThrow(/refused 2\d/);
    expect(await src.countJobs(target.criteria, 1000)).toEqual(before);
  });

  test("keys that are not native ids are refused", async () => {
    await expect(src.apply({ action: "retry", target: { keys: ["abc"] } }, { control: t.db, actor, reason: null, auditPrefix: "jobs" })).rejects.toThrow('"abc" is not a job id');
  });
});

test("the registry lists the native source first and finds sources by name", () => {
  const r = openSources(t.db, []);
  expect(r.all.map((s) => s.name)).toEqual(["jobdeck"]);
  expect(r.get("jobdeck")).toBe(r.native);
  expect(r.get("nope")).toBeNull();
});
