// Two API contracts of operator safety, over HTTP against the production build (threshold 3):
// a dry run's `allowed` is what the real call does — for the jobs bulk endpoints (ids that are not
// all eligible; a cancel that also asks running jobs to stop) and the campaign action endpoints,
// each with a jobs:write token (an operator) and an admin token, each pair on fresh rows; and
// recover-stale by worker releases live leases only when `force` says so, audited as forced.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiToken } from "../../lib/auth/tokens";
import { type CampaignAction } from "../../lib/operations/campaigns";
import { type RunningServer, startServer } from "./server";
import { campaignWhere } from "../fixtures/campaign-limits";
import { snapshotData } from "../helpers/snapshot";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

const THRESHOLD = 3;
let t: TestDatabase;
let app: RunningServer;
const tokens = { write: "", admin: "" };

beforeAll(async () => {
  t = await createTestDatabase("api_safety_contracts");
  tokens.write = (await createApiToken(t.db, { name: "runbook-bot", owner: "sre@example.com", scopes: ["jobs:read", "jobs:write"], actor: { name: "test" } })).token;
  tokens.admin = (await createApiToken(t.db, { name: "big-hammer", owner: "lead@example.com", scopes: ["jobs:read", "jobs:write", "admin"], actor: { name: "test" } })).token;
  app = await startServer({ databaseUrl: t.url, env: { JOBDECK_BULK_CONFIRM_THRESHOLD: String(THRESHOLD) } });
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

const post = (path: string, token: string, body: object) =>
  fetch(`${app.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

/** Jobs of a fresh kind in the given states; returns their ids and the kind. */
async function jobs(states: string[]): Promise<{ kind: string; ids: number[] }> {
  const kind = `k${Math.random().toString(36).slice(2, 10)}`;
  const ids: number[] = [];
  for (const s of states) {
    const [r] = await t.db.query<{ id: number }>(
      `insert into jobs (kind, state, attempts, finished_at, last_error, locked_by, locked_until, started_at)
       values ($1, $2, 1, case when $2 in ('dead', 'completed') then now() end, 'boom',
         case when $2 = 'running' then 'w-1' end, case when $2 = 'running' then now() + interval '1 hour' end,
         case when $2 = 'running' then now() end) returning id`,
      [kind, s],
    );
    ids.push(Number(r.id));
  }
  return { kind, ids };
}

/** Runs the dry run, then the real call; returns what each said. */
async function pair(path: string, token: string, body: object) {
  const dry = await post(path, token, { ...body, dry_run: true });
  expect(dry.status, `${path} dry run`).toBe(200);
  const d = (await dry.json()) as { allowed: boolean; bulk_confirm_threshold: number };
  expect(d.bulk_confirm_threshold).toBe(THRESHOLD);
  const before = await snapshotData(t.db, { ignoreTokenUse: true });
  const real = await post(path, token, body);
  if (real.status === 403) expect({ ...(await snapshotData(t.db, { ignoreTokenUse: true })), audit_events: 0 }).toEqual({ ...before, audit_events: 0 });
  else expect(real.status, `${path}: ${await real.clone().text()}`).toBe(200);
  return { allowed: d.allowed, refused: real.status === 403 };
}

test("jobs: retry of ids not all eligible, and a cancel that also asks running jobs to stop", async () => {
  const cases = [
    // 3 retryable of 5 ids: the limit counts the 5 ids sent.
    { path: "/api/v1/admin/jobs/retry", make: async () => ({ ids: (await jobs(["dead", "dead", "dead", "completed", "running"])).ids }) },
    { path: "/api/v1/admin/jobs/retry", make: async () => ({ ids: (await jobs(["dead", "dead", "dead"])).ids }) },
    // 2 to cancel + 2 running to ask: 4 jobs.
    { path: "/api/v1/admin/jobs/cancel", make: async () => ({ kind: (await jobs(["pending", "pending", "running", "running"])).kind }) },
    { path: "/api/v1/admin/jobs/cancel", make: async () => ({ kind: (await jobs(["pending", "pending", "running"])).kind }) },
  ];
  const seen: string[] = [];
  for (const c of cases) {
    for (const [who, token] of Object.entries(tokens)) {
      const r = await pair(c.path, token, await c.make());
      expect(r.allowed, `${c.path} ${who}: dry run vs real call`).toBe(!r.refused);
      seen.push(`${who}:${r.allowed}`);
    }
  }
  expect(seen).toEqual(["write:false", "admin:true", "write:true", "admin:true", "write:false", "admin:true", "write:true", "admin:true"]);
});

test("campaigns: resume, retry-failed and cancel, at and over the threshold", async () => {
  const routes: [string, CampaignAction][] = [["resume", "resume"], ["retry-failed", "retryFailed"], ["cancel", "cancel"]];
  const seen: string[] = [];
  for (const [path, op] of routes) {
    for (const n of [THRESHOLD, THRESHOLD + 1]) {
      for (const [who, token] of Object.entries(tokens)) {
        const id = await campaignWhere(t.db, op, n);
        const dry = await post(`/api/v1/admin/campaigns/${id}/${path}`, token, { dry_run: true });
        expect(await dry.clone().json()).toMatchObject({ dry_run: true, campaign_id: id, would_change: op === "resume" ? 1 : n, refused: null });
        const r = await pair(`/api/v1/admin/campaigns/${id}/${path}`, token, {});
        expect(r.allowed, `${path} ${n} ${who}: dry run vs real call`).toBe(!r.refused);
        seen.push(`${path}:${n}:${who}:${r.allowed}`);
      }
    }
  }
  expect(seen.filter((s) => s.endsWith("false"))).toEqual(["retry-failed:4:write:false", "cancel:4:write:false"]);
  const refusals = await t.db.query<{ action: string; details: { would_change: number } }>("select action, details from audit_events where outcome = 'refused' and action like 'campaign.%' order by id");
  expect(refusals.map((a) => [a.action, a.details.would_change])).toEqual([["campaign.retry_failed", 4], ["campaign.cancel", 4]]);
});

test("recover-stale by worker_id: only expired leases, still_leased says until when; force releases the rest, audited as forced", async () => {
  await t.db.query(`insert into workers (id, hostname, pid, queues, concurrency, version, last_heartbeat_at)
    values ('w-paused', 'h', 7, '{}', 2, 't', now() - interval '10 minutes')`);
  const { ids } = await jobs(["running", "running"]);
  await t.db.query("update jobs set locked_by = 'w-paused' where id = any($1::bigint[])", [ids]);
  await t.db.query("update jobs set locked_until = now() - interval '1 minute' where id = $1", [ids[0]]);
  const [{ until }] = await t.db.query<{ until: Date }>("select locked_until as until from jobs where id = $1", [ids[1]]);

  const bad = await post("/api/v1/admin/jobs/recover-stale", tokens.write, { force: true });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error).toMatchObject({ code: "invalid_input", message: expect.stringMatching(/force applies to one offline worker/) });

  const r = await post("/api/v1/admin/jobs/recover-stale", tokens.write, { worker_id: "w-paused" });
  expect(r.status).toBe(200);
  expect(await r.json()).toMatchObject({ recovered: 1, ids: [ids[0]], still_leased: { count: 1, soonest_expiry: until.toISOString(), last_expiry: until.toISOString() } });
  const f = await post("/api/v1/admin/jobs/recover-stale", tokens.write, { worker_id: "w-paused", force: true, reason: "host is gone" });
  expect(await f.json()).toMatchObject({ recovered: 1, ids: [ids[1]], still_leased: { count: 0 } });
  const audit = await t.db.query<{ action: string; filter: unknown; details: unknown }>("select action, filter, details from audit_events where action = 'api.jobs.recover_stale' order by id");
  expect(audit).toEqual([
    expect.objectContaining({ filter: { worker: "w-paused" }, details: expect.not.objectContaining({ forced: true }) }),
    expect.objectContaining({ filter: { worker: "w-paused", force: true }, details: expect.objectContaining({ forced: true, unexpired_leases_released: 1 }) }),
  ]);
});
