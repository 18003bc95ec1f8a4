// `--source NAME` through the real CLI: a real pg-boss 12 (its own producer and worker) and a real
// graphile-worker in the test database, named in JOBDECK_SOURCES. jobs list reads them through
// the adapters; `jobs list --source billing --format ndjson | jobs retry --source billing` retries
// dead pg-boss jobs through pg-boss's own functions (audited as cli.jobs.retry with the source and
// keys), after which pg-boss's worker completes them; recover-stale by source and by worker; and
// the refusals: another source's lines, a read-only source, an unknown source, bad JOBDECK_SOURCES.
import type { WorkerUtils } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { enqueueMany } from "../../lib/queue";
import { lines, runCli, runPipeline } from "../fixtures/cli-run";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { installGraphileWorker, killHard, runOnceWith, spawnHoldingWorker, waitFor } from "../sources/graphile/fixture";
import { type Boss, failing, makeBoss, sql, startWorker, until } from "../sources/pgboss/harness";

const Q = "billing.invoices";
const SOURCES = [
  { name: "billing", kind: "pg-boss" },
  { name: "mail", kind: "graphile-worker" },
  { name: "ledger", kind: "pg-boss", readOnly: true },
];

let t: TestDatabase;
let boss: Boss;
let utils: WorkerUtils;
const ids: Record<string, string> = {};
const savedSources = process.env.JOBDECK_SOURCES;
const bossState = async (label: string) => (await sql<{ state: string }>(t.url, "select state::text from pgboss.job where id = $1", [ids[label]]))[0]?.state;

beforeAll(async () => {
  t = await createTestDatabase("cli_sources");
  boss = makeBoss(12, t.url);
  await boss.start();
  await boss.createQueue(Q);
  await boss.createQueue("stuck");
  const send = async (label: string, queue: string, data: object, o: Record<string, unknown> = {}) => {
    ids[label] = (await boss.send(queue, { label, ...data }, o))!;
  };
  await send("ok", Q, {});
  await send("dead1", Q, { fail: true, token: "s3cret" }, { retryLimit: 0 });
  await send("dead2", Q, { fail: true }, { retryLimit: 0 });
  await send("stuck", "stuck", {}, { retryLimit: 0, expireInSeconds: 1 });
  expect((await boss.fetch("stuck"))?.length).toBe(1); // active; no worker will finish it
  failing.on = true;
  await startWorker(boss, Q);
  await until("pg-boss's worker to settle the jobs", async () => (await bossState("dead1")) === "failed" && (await bossState("dead2")) === "failed" && (await bossState("ok")) === "completed");
  utils = await installGraphileWorker(t.url);
  await utils.addJob("send_welcome", { to: "a@example.com" });
  process.env.JOBDECK_SOURCES = JSON.stringify(SOURCES);
}, 120_000);

afterAll(async () => {
  if (savedSources === undefined) delete process.env.JOBDECK_SOURCES;
  else process.env.JOBDECK_SOURCES = savedSources;
  failing.on = true;
  await boss?.stop({ graceful: false }).catch(() => {});
  await utils?.release();
  await t?.drop();
});

const key = (label: string, queue = Q) => `${queue}:${ids[label]}`;

describe("jobs list --source", () => {
  test("ndjson: the dead pg-boss jobs with key, source, native_state and the payload (secrets masked)", async () => {
    const r = await runCli(t.url, ["jobs", "list", "--source", "billing", "--state", "dead", "--format", "ndjson"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const objs = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.map((o) => o.key)).toEqual([key("dead2"), key("dead1")]);
    expect(objs[1]).toMatchObject({ id: key("dead1"), key: key("dead1"), source: "billing", kind: Q, queue: Q, state: "dead", native_state: "failed", attempts: 1, max_attempts: 1 });
    expect(objs[1].payload).toEqual({ label: "dead1", fail: true, token: "••••" });
    expect(objs[1].last_error).toMatch(/boom: dead1 failed/);
  });

  test("table: KEY column and the library's state beside Jobdeck's; a graphile-worker source too", async () => {
    const r = await runCli(t.url, ["jobs", "list", "--source", "billing", "--queue", Q]);
    expect(r.code).toBe(0);
    const [header, ...rows] = lines(r.stdout);
    expect(header).toMatch(/^KEY\s+KIND\s+QUEUE\s+STATE/);
    expect(rows.find((l) => l.startsWith(key("dead1")))).toMatch(/dead \(failed\)/);
    expect(rows.find((l) => l.startsWith(key("ok")))).toMatch(/completed/);
    const mail = await runCli(t.url, ["jobs", "list", "--source", "mail", "--format", "ndjson"]);
    expect(mail.code).toBe(0);
    expect(lines(mail.stdout).map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ source: "mail", kind: "send_welcome", state: "pending", payload: { to: "a@example.com" } })]);
  });

  test("without --source (or with --source jobdeck) the native queue is listed, its lines saying source jobdeck", async () => {
    const [id] = await enqueueMany(t.db, [{ kind: "native_kind", queue: "native" }]);
    for (const extra of [[], ["--source", "jobdeck"]]) {
      const r = await runCli(t.url, ["jobs", "list", "--format", "ndjson", ...extra]);
      expect(r.code).toBe(0);
      expect(lines(r.stdout).map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ id, key: String(id), source: "jobdeck", kind: "native_kind", state: "pending" })]);
    }
    await t.db.query("delete from jobs where id = $1", [id]);
  });
});

describe("jobs retry|cancel --source", () => {
  test("a foreign source's lines are refused by the native retry, and the native lines by --source billing; nothing changes", async () => {
    const native = await runPipeline(t.url, "jobdeck jobs list --source billing --state dead --format ndjson | jobdeck jobs retry");
    expect(native.code).toBe(2);
    expect(native.stderr).toMatch(/stdin line 1: a job of source "billing": add --source billing/);
    const other = await runPipeline(t.url, `echo '{"id":1,"key":"1","source":"jobdeck"}' | jobdeck jobs retry --source billing`);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/stdin line 1: a job of source "jobdeck", not "billing"/);
    expect(await bossState("dead1")).toBe("failed");
    expect((await t.db.query("select 1 from audit_events")).length).toBe(0);
  });

  test("a read-only source refuses with exit 2 naming the capability, and changes nothing", async () => {
    const r = await runCli(t.url, ["jobs", "cancel", "--source", "ledger", key("dead1")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^jobdeck jobs cancel: source "ledger" cannot do cancel: configured read-only/);
    expect(await bossState("dead1")).toBe("failed");
  });

  test("jobs list --source billing --format ndjson | jobs retry --source billing: pg-boss retries them, audited with the keys; its worker then completes them", async () => {
    failing.on = false; // the bug is fixed
    const r = await runPipeline(t.url, `jobdeck jobs list --source billing --state dead --format ndjson | jobdeck jobs retry --source billing --reason "invoices fixed"`);
    expect(r.stdout).toBe("retried 2 jobs; skipped 0; not found: 0\n");
    expect(r.code).toBe(0);
    const audit = await t.db.query<Record<string, unknown>>("select action, source, target_keys, affected, reason, outcome, actor from audit_events order by id");
    expect(audit).toEqual([
      expect.objectContaining({ action: "cli.jobs.retry", source: "billing", affected: 2, reason: "invoices fixed", outcome: "ok", actor: expect.stringMatching(/^cli:/) }),
    ]);
    expect((audit[0].target_keys as string[]).sort()).toEqual([key("dead1"), key("dead2")].sort());
    await until("pg-boss's worker to complete the retried jobs", async () => (await bossState("dead1")) === "completed" && (await bossState("dead2")) === "completed");
  });

  test("keys as arguments: a key that is not there is reported and exits 1", async () => {
    const missing = `${Q}:00000000-0000-4000-8000-000000000000`;
    const r = await runCli(t.url, ["jobs", "retry", "--source", "billing", key("ok"), missing]);
    expect(r.stdout).toBe("retried 0 jobs; skipped 1 (completed: pg-boss has no function to run a completed job again: 1); not found: 1\n");
    expect(r.code).toBe(1);
  });
});

describe("recover-stale --source", () => {
  test("pg-boss: --worker is refused naming the capability; all recovers the expired job through pg-boss", async () => {
    const byWorker = await runCli(t.url, ["recover-stale", "--source", "billing", "--worker", "w1"]);
    expect(byWorker.code).toBe(2);
    expect(byWorker.stderr).toMatch(/source "billing" cannot do recoverStale: pg-boss does not record which worker/);
    const r = await runCli(t.url, ["recover-stale", "--source", "billing", "--reason", "box rebooted"]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([key("stuck", "stuck")]);
    expect(r.stderr).toBe("recovered 1 stale job of source billing\n");
    expect(await bossState("stuck")).toBe("failed"); // no retries left: pg-boss's fail() ends it
    const [row] = await t.db.query<Record<string, unknown>>("select action, source, target_keys, reason from audit_events where action = 'cli.jobs.recover_stale'");
    expect(row).toMatchObject({ source: "billing", target_keys: [key("stuck", "stuck")], reason: "box rebooted" });
  });

  test("graphile-worker: the jobs of a killed worker pool, named with --worker, run again", async () => {
    const job = String((await utils.addJob("hold", {})).id);
    const child = spawnHoldingWorker(t.url);
    let pool: string;
    try {
      pool = await waitFor("the job to be locked", async () => (await sql<{ locked_by: string | null }>(t.url, "select locked_by from graphile_worker.jobs where id = $1", [job]))[0]?.locked_by);
    } finally {
      await killHard(child);
    }
    const r = await runCli(t.url, ["recover-stale", "--source", "mail", "--worker", pool]);
    expect(r.stderr).toBe(`recovered 1 stale job of worker ${pool} of source mail\n`);
    expect(lines(r.stdout)).toEqual([job]);
    let ran = 0;
    await runOnceWith(t.url, { hold: async () => void ran++, send_welcome: async () => {} });
    expect(ran).toBe(1);
  });
});

describe("bad --source and JOBDECK_SOURCES", () => {
  test("an unknown source exits 2 naming the sources there are", async () => {
    for (const args of [["jobs", "list", "--source", "nope"], ["jobs", "retry", "--source", "nope", "x"], ["recover-stale", "--source", "nope"]]) {
      const r = await runCli(t.url, args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/: unknown source "nope"; sources are jobdeck, billing, mail, ledger\n$/);
      expect(lines(r.stderr)).toHaveLength(1);
    }
  });

  test("a bad JOBDECK_SOURCES is one clear line and exit 2 for --source; the native commands do not read it", async () => {
    process.env.JOBDECK_SOURCES = '[{"name":"billing","kind":"sidekiq"}]';
    try {
      const r = await runCli(t.url, ["jobs", "list", "--source", "billing"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('jobdeck jobs list: JOBDECK_SOURCES entry 1 ("billing"), field kind: kind must be "pg-boss", "graphile-worker" or "celery"\n');
      const native = await runCli(t.url, ["jobs", "list"]);
      expect(native.code).toBe(0);
    } finally {
      process.env.JOBDECK_SOURCES = JSON.stringify(SOURCES);
    }
  });
});
