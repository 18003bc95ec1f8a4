// `jobs list --format ndjson | jobs retry` end to end, through a real shell pipe; `jobs cancel`;
// and the refusals: running jobs are skipped untouched, malformed ids change nothing.
import { afterAll, beforeAll, expect, test } from "vitest";
import { claim, type ClaimedJob, enqueueMany, fail } from "../../lib/queue";
import { lines, runCli, runPipeline } from "../fixtures/cli-run";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("cli_retry_cancel");
});
afterAll(async () => t?.drop());

type Row = Record<string, unknown> & { id: number; state: string };
const rowsOf = (ids: readonly number[]) =>
  t.db.query<Row>("select * from jobs where id = any($1::bigint[]) order by id", [ids]);

/** Enqueues jobs in a fresh queue and claims them all (they are running). */
async function running(n: number, queue: string, kind = "work"): Promise<ClaimedJob[]> {
  await enqueueMany(t.db, Array.from({ length: n }, (_, i) => ({ kind, queue, payload: { i } })));
  const claimed = await claim(t.db, { workerId: `w-${queue}`, queues: [queue], limit: n, leaseSeconds: 300 });
  expect(claimed).toHaveLength(n);
  return claimed;
}

/** Dead jobs made the real way: enqueued, claimed, failed with a permanent error. */
async function dead(n: number, queue: string): Promise<number[]> {
  const claimed = await running(n, queue);
  for (const c of claimed) await fail(t.db, { jobId: c.id, attemptId: c.attemptId, error: `PermanentError: bad input ${c.id}`, permanent: true });
  return claimed.map((c) => c.id);
}

test("jobs list --state dead --format ndjson | jobs retry: dead jobs run again, a running one is skipped untouched", async () => {
  const deadIds = await dead(4, "pipe");
  const [busy] = await running(1, "pipe-busy");
  const busyBefore = (await rowsOf([busy.id]))[0];

  const r = await runPipeline(
    t.url,
    `{ jobdeck jobs list --state dead --format ndjson; echo '{"id": ${busy.id}, "state": "running"}'; } | jobdeck jobs retry --reason "fixed the parser"`,
  );
  expect(r.stdout).toBe("retried 4 jobs; skipped 1 (running: 1); not found: 0\n");
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`job ${busy.id}: skipped (running)`);

  const after = await rowsOf(deadIds);
  for (const row of after) {
    expect(row).toMatchObject({ state: "pending", attempts: 0, locked_by: null, finished_at: null });
    // the error and the attempt history stay
    expect(row.last_error).toBe(`PermanentError: bad input ${row.id}`);
  }
  const history = await t.db.query<{ job_id: number; outcome: string }>(
    "select job_id, outcome from job_attempts where job_id = any($1::bigint[]) order by job_id",
    [deadIds],
  );
  expect(history.map((h) => h.outcome)).toEqual(["dead", "dead", "dead", "dead"]);
  // the running job: every column as it was
  expect((await rowsOf([busy.id]))[0]).toEqual(busyBefore);

  const audit = await t.db.query<Record<string, unknown>>(
    "select actor, action, target_ids, affected, skipped, reason, outcome, details from audit_events where action = 'jobs.retry'",
  );
  expect(audit).toHaveLength(1);
  expect(audit[0].actor).toMatch(/^cli:[^@]+@.+$/);
  expect(audit[0]).toMatchObject({ affected: 4, skipped: 1, reason: "fixed the parser", outcome: "partial" });
  expect((audit[0].target_ids as number[]).map(Number).sort((a, b) => a - b)).toEqual([...deadIds, busy.id].sort((a, b) => a - b));
  expect(audit[0].details).toMatchObject({ skipped: [{ id: busy.id, state: "running" }] });
});

test("ids as arguments; missing ids exit 1 but the others are retried; --completed re-runs completed jobs", async () => {
  const [d] = await dead(1, "args");
  const r = await runCli(t.url, ["jobs", "retry", String(d), "999999", "--reason", "manual"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("retried 1 job; skipped 0; not found: 1\n");
  expect(r.stderr).toContain("job 999999: not found");
  expect((await rowsOf([d]))[0].state).toBe("pending");

  await t.db.query("update jobs set state = 'completed', finished_at = now() where id = $1", [d]);
  const plain = await runCli(t.url, ["jobs", "retry", String(d)]);
  expect(plain.stdout).toBe("retried 0 jobs; skipped 1 (completed: 1); not found: 0\n");
  expect(plain.code).toBe(0);
  expect((await rowsOf([d]))[0].state).toBe("completed");
  const forced = await runCli(t.url, ["jobs", "retry", "--completed", String(d)]);
  expect(forced.stdout).toBe("retried 1 job; skipped 0; not found: 0\n");
  expect((await rowsOf([d]))[0].state).toBe("pending");
});

test("a malformed id, as argument or on stdin, exits 2 before anything changes", async () => {
  const ids = await dead(2, "bad-ids");
  const auditBefore = await t.db.query("select id from audit_events");
  const arg = await runCli(t.url, ["jobs", "retry", String(ids[0]), "12abc"]);
  const piped = await runCli(t.url, ["jobs", "retry"], `${ids[0]}\n${ids[1]}\nnot-an-id\n`);
  for (const r of [arg, piped]) {
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stdout).toBe("");
  }
  expect(piped.stderr).toMatch(/stdin line 3: "not-an-id" is not a job id/);
  expect((await rowsOf(ids)).map((row) => row.state)).toEqual(["dead", "dead"]);
  expect(await t.db.query("select id from audit_events")).toHaveLength(auditBefore.length);
});

test("more than 1,000 piped bare ids run in audited batches of 1,000", async () => {
  const ids = await enqueueMany(t.db, Array.from({ length: 1_500 }, () => ({ kind: "bulk", queue: "bulk" })));
  await t.db.query("update jobs set state = 'dead', finished_at = now(), last_error = 'boom' where queue = 'bulk'");
  const r = await runCli(t.url, ["jobs", "retry"], `${ids.join("\n")}\n`);
  expect(r.stdout).toBe("retried 1,500 jobs; skipped 0; not found: 0\n");
  expect(r.code).toBe(0);
  const [{ n }] = await t.db.query<{ n: number }>("select count(*)::int as n from jobs where queue = 'bulk' and state = 'pending'");
  expect(n).toBe(1_500);
  const audit = await t.db.query<{ affected: number }>(
    "select affected from audit_events where action = 'jobs.retry' and ($1 = any(target_ids) or $2 = any(target_ids)) order by id",
    [ids[0], ids[1_499]],
  );
  expect(audit.map((a) => a.affected).sort()).toEqual([1_000, 500].sort());
});

test("jobs cancel: pending and failed become cancelled, running gets a cancel request, finished are skipped", async () => {
  const [pending] = await enqueueMany(t.db, [{ kind: "c", queue: "cancel-pending" }]);
  const [busy] = await running(1, "cancel-busy");
  const [gone] = await dead(1, "cancel-dead");
  const r = await runCli(t.url, ["jobs", "cancel", "--reason", "wrong batch"], `${pending}\n{"id":${busy.id}}\n${gone}\n`);
  expect(r.stdout).toBe("cancelled 1 job; cancel requested 1 (running); skipped 1 (dead: 1); not found: 0\n");
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`job ${busy.id}: running; cancel requested`);
  expect(r.stderr).toContain(`job ${gone}: skipped (dead)`);
  const [p, b, g] = await rowsOf([pending, busy.id, gone]);
  expect(p.state).toBe("cancelled");
  expect(b).toMatchObject({ state: "running", locked_by: "w-cancel-busy" });
  expect(b.cancel_requested_at).toBeInstanceOf(Date);
  expect(g.state).toBe("dead");
  const [audit] = await t.db.query<Record<string, unknown>>("select * from audit_events where action = 'jobs.cancel'");
  expect(audit).toMatchObject({ affected: 2, skipped: 1, reason: "wrong batch", outcome: "partial" });
  expect(audit.actor).toMatch(/^cli:/);
});

test("an empty pipe retries nothing and exits 0", async () => {
  const before = await t.db.query("select id from audit_events");
  const r = await runPipeline(t.url, "jobdeck jobs list --state dead --kind no-such-kind --format ndjson | jobdeck jobs retry");
  expect(r.stdout).toBe("retried 0 jobs; skipped 0; not found: 0\n");
  expect(r.code).toBe(0);
  expect(await t.db.query("select id from audit_events")).toHaveLength(before.length);
});
