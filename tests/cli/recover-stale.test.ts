// `jobdeck recover-stale`: expired leases go back to pending (or dead), live leases stay, one
// audit row per transaction, and a second run finds nothing.
import { afterAll, beforeAll, expect, test } from "vitest";
import { claim, enqueueMany } from "../../lib/queue";
import { lines, runCli } from "../fixtures/cli-run";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("cli_recover_stale");
});
afterAll(async () => t?.drop());

test("recovers only expired leases, prints their ids, audits, and is a no-op the second time", async () => {
  // Two jobs held by a worker that "died": leases of a millisecond, long expired by the time the CLI runs.
  await enqueueMany(t.db, [{ kind: "k", queue: "crashed" }, { kind: "k", queue: "crashed", maxAttempts: 1 }]);
  const lost = await claim(t.db, { workerId: "w-crashed", queues: ["crashed"], limit: 2, leaseSeconds: 0.001 });
  // One job held by a live worker.
  await enqueueMany(t.db, [{ kind: "k", queue: "live" }]);
  const [live] = await claim(t.db, { workerId: "w-live", queues: ["live"], limit: 1, leaseSeconds: 600 });
  const [liveBefore] = await t.db.query("select * from jobs where id = $1", [live.id]);

  const r = await runCli(t.url, ["recover-stale", "--reason", "host rebooted"]);
  expect(r.code).toBe(0);
  expect(lines(r.stdout).map(Number)).toEqual(lost.map((j) => j.id));
  expect(r.stderr).toBe("recovered 2 stale jobs (pending: 1, dead: 1)\n");

  const rows = await t.db.query<{ id: number; state: string; locked_by: string | null; last_error: string }>(
    "select id, state, locked_by, last_error from jobs where queue = 'crashed' order by id",
  );
  expect(rows.map((x) => [x.state, x.locked_by])).toEqual([["pending", null], ["dead", null]]);
  expect(rows[0].last_error).toMatch(/lease expired: worker w-crashed/);
  const attempts = await t.db.query<{ outcome: string }>(
    "select outcome from job_attempts where job_id = any($1::bigint[]) order by job_id",
    [lost.map((j) => j.id)],
  );
  expect(attempts.map((a) => a.outcome)).toEqual(["lost", "lost"]);
  expect((await t.db.query("select * from jobs where id = $1", [live.id]))[0]).toEqual(liveBefore);

  const audit = await t.db.query<Record<string, unknown>>("select actor, action, target_ids, affected, reason, outcome from audit_events");
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ action: "jobs.recover_stale", affected: 2, reason: "host rebooted", outcome: "ok" });
  expect(audit[0].actor).toMatch(/^cli:/);
  expect((audit[0].target_ids as number[]).map(Number)).toEqual(lost.map((j) => j.id));

  const again = await runCli(t.url, ["recover-stale"]);
  expect(again).toMatchObject({ code: 0, stdout: "", stderr: "no stale jobs\n" });
  expect(await t.db.query("select id from audit_events")).toHaveLength(1);
});

test("--worker recovers only that offline worker's expired leases and says how many are still leased; --force releases the rest, audited as forced", async () => {
  await t.db.query(`insert into workers (id, hostname, pid, queues, concurrency, version, last_heartbeat_at)
    values ('w-paused', 'h', 7, '{}', 2, 't', now() - interval '10 minutes')`);
  await enqueueMany(t.db, [{ kind: "k", queue: "paused" }, { kind: "k", queue: "paused" }]);
  const [expired] = await claim(t.db, { workerId: "w-paused", queues: ["paused"], limit: 1, leaseSeconds: 0.001 });
  const [leased] = await claim(t.db, { workerId: "w-paused", queues: ["paused"], limit: 1, leaseSeconds: 600 });
  const [{ until }] = await t.db.query<{ until: Date }>("select locked_until as until from jobs where id = $1", [leased.id]);
  const iso = until.toISOString().replace(/\.\d{3}Z$/, "Z");

  expect(await runCli(t.url, ["recover-stale", "--force"])).toMatchObject({ code: 2, stdout: "" });
  const r = await runCli(t.url, ["recover-stale", "--worker", "w-paused", "--reason", "paused?"]);
  expect(r.code).toBe(0);
  expect(lines(r.stdout).map(Number)).toEqual([expired.id]);
  expect(r.stderr).toBe(`recovered 1 stale job of worker w-paused (pending: 1); 1 job still leased (the first lease ends ${iso}, the last ${iso})\n`);
  const [still] = await t.db.query<{ state: string; locked_by: string }>("select state, locked_by from jobs where id = $1", [leased.id]);
  expect(still).toEqual({ state: "running", locked_by: "w-paused" });

  const f = await runCli(t.url, ["recover-stale", "--worker", "w-paused", "--force", "--reason", "host is powered off"]);
  expect(f.code).toBe(0);
  expect(lines(f.stdout).map(Number)).toEqual([leased.id]);
  expect(f.stderr).toBe("recovered 1 job of worker w-paused (forced) (pending: 1)\n");
  const [audit] = await t.db.query<{ action: string; filter: unknown; details: { forced?: boolean }; target_ids: number[] }>(
    "select action, filter, details, target_ids from audit_events where reason = 'host is powered off'",
  );
  expect(audit).toMatchObject({ action: "jobs.recover_stale", filter: { worker: "w-paused", force: true }, details: { forced: true, unexpired_leases_released: 1 } });
  expect(audit.target_ids.map(Number)).toEqual([leased.id]);
});
