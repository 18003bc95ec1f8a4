// Recover stale on a graphile-worker source: real worker pools in child processes take jobs and
// are killed with SIGKILL while holding them. Releasing the lock goes through graphile-worker's
// force_unlock_workers, only for pools the operator confirms gone, or (without force) pools
// whose every lock is past graphile-worker's 4 hours; then another real worker runs the job.
import type { WorkerUtils } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Source } from "../../../lib/sources/types";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-db";
import { ctx, installGraphileWorker, killHard, openSource, runOnceWith, sourceConfig, spawnHoldingWorker, waitFor } from "./fixture";

let t: TestDatabase;
let utils: WorkerUtils;
let source: Source;

const add = async (runAt?: Date) => String((await utils.addJob("hold", {}, runAt ? { runAt } : {})).id);
const lockedBy = async (key: string) => {
  const d = await source.getJob(key);
  return d?.job.state === "running" ? d.job.worker : null;
};

beforeAll(async () => {
  t = await createTestDatabase("gw_recover");
  utils = await installGraphileWorker(t.url);
  source = await openSource(sourceConfig(), t.db, t.url);
});

afterAll(async () => {
  await utils?.release();
  await source?.close();
  await t?.drop();
});

describe("graphile-worker source: recover stale", () => {
  it("releases the lock of a killed worker once the operator names it; another worker then runs the job", async () => {
    const key = await add();
    const child = spawnHoldingWorker(t.url);
    let pool: string;
    try {
      pool = await waitFor("the job to be locked", () => lockedBy(key));
    } finally {
      await killHard(child);
    }
    expect(pool).toMatch(/^pool-/);
    expect((await source.listWorkers()).map((w) => [w.id, w.status, w.running.map((r) => r.key)])).toEqual([[pool, "unknown", [key]]]);
    // A lock under 4 hours may belong to a live worker: neither "all" nor the key releases it.
    expect(await source.listStale()).toEqual([]);
    expect(await source.recoverStale({ target: { all: true } }, ctx(t.db))).toMatchObject({ matched: 0, affected: 0 });
    const byKey = await source.recoverStale({ target: { keys: [key] } }, ctx(t.db));
    expect(byKey).toMatchObject({ matched: 1, affected: 0, auditIds: [] });
    expect(Object.keys(byKey.skipped)[0]).toMatch(/^lock younger than 4 h/);
    expect(await lockedBy(key)).toBe(pool);

    const r = await source.recoverStale({ target: { workers: [pool] } }, ctx(t.db, { reason: "host died" }));
    expect(r).toMatchObject({ matched: 1, affected: 1, keys: [key] });
    const [audit] = await t.db.query<{ action: string; source: string; target_keys: string[]; filter: unknown; details: Record<string, unknown> }>("select * from audit_events where id = $1", [r.auditIds[0]]);
    expect(audit).toMatchObject({ action: "jobs.recover_stale", source: "mail", target_keys: [key], filter: { workers: [pool] } });
    expect(audit.details.function).toBe("graphile_worker.force_unlock_workers");
    // The lost attempt counts; the job is due again at once.
    expect((await source.getJob(key))!.job).toMatchObject({ state: "failed", nativeState: "retry due", attempts: 1, worker: null });

    let ran = 0;
    await runOnceWith(t.url, {
      hold: async () => {
        ran++;
      },
    });
    expect(ran).toBe(1);
    expect(await source.getJob(key)).toBeNull();
  });

  it("treats a lock past graphile-worker's 4 hours as stale: recover all releases pools whose every lock is stale, a pool with a younger lock only when forced", async () => {
    const fiveHours = 5 * 3600;
    const past = new Date(Date.now() - 6 * 3600 * 1000); // due for pools living 5 h in the past
    // Pool A lives 5 h in the past (graphile-worker's useNodeTime): its lock on X is 5 hours old.
    const x = await add(past);
    const a = spawnHoldingWorker(t.url, { clockShiftSeconds: fiveHours });
    let poolA: string;
    try {
      poolA = await waitFor("X to be locked", () => lockedBy(x));
    } finally {
      await killHard(a);
    }
    // Pool B locks Z 5 hours in the past, then (clock set right) Y now: one stale lock, one young.
    const z = await add(past);
    const b = spawnHoldingWorker(t.url, { concurrency: 2, clockShiftSeconds: fiveHours });
    let poolB: string;
    let y: string;
    try {
      poolB = await waitFor("Z to be locked", () => lockedBy(z));
      b.kill("SIGUSR2");
      await new Promise((r) => setTimeout(r, 300));
      y = await add();
      expect(await waitFor("Y to be locked", () => lockedBy(y))).toBe(poolB);
    } finally {
      await killHard(b);
    }
    expect(poolB).not.toBe(poolA);

    const stale = await source.listStale();
    expect(stale.map((s) => s.key).sort()).toEqual([x, z].sort());
    for (const s of stale) expect(s.overdueSeconds).toBeGreaterThan(3000);
    const dx = (await source.getJob(x))!;
    expect(dx).toMatchObject({ isStale: true, job: { state: "running", nativeState: "lock expired" } });
    expect(dx.recoveryHint).toMatch(/^Stale: /);
    expect((await source.getJob(y))!.isStale).toBe(false);
    expect((await source.summary()).stale).toBe(2);

    const all = await source.recoverStale({ target: { all: true } }, ctx(t.db));
    expect(all).toMatchObject({ matched: 2, affected: 1, keys: [x] });
    expect(all.skipped).toEqual({ "its worker also holds a lock younger than 4 h and may be alive (recover that worker if you know it is gone, or force)": 1 });
    expect(await lockedBy(x)).toBeNull();
    expect(await lockedBy(z)).toBe(poolB);

    const forced = await source.recoverStale({ target: { keys: [z] }, force: true }, ctx(t.db));
    expect(forced).toMatchObject({ matched: 1, affected: 2, skipped: {} });
    expect(forced.keys.sort()).toEqual([y, z].sort());
    const [audit] = await t.db.query<{ target_keys: string[]; details: Record<string, unknown> }>("select * from audit_events where id = $1", [forced.auditIds[0]]);
    expect(audit.target_keys.sort()).toEqual([y, z].sort());
    expect(audit.details).toMatchObject({ workers: [poolB], force: true });

    const ran: string[] = [];
    await runOnceWith(t.url, {
      hold: async (_payload, helpers) => {
        ran.push(String(helpers.job.id));
      },
    });
    expect(ran.sort()).toEqual([x, y, z].sort());
  });
});
