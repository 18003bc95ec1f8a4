// The admin jobs API over other sources (issue 11 item 4), over HTTP against `next start` of this
// build, with real pg-boss 12 and 10 and a real graphile-worker in the test database (see
// ./sources-fixture): `source` on every /api/v1/admin/jobs endpoint; key, source and native_state
// on every job; opaque cursors; the summary from source.summary(); detail, export, single and bulk
// actions through the adapters (a retried pg-boss job is then completed by pg-boss's worker); 409
// naming a missing capability or filter; 400 for an unknown source; 503 for an unreachable one
// while the others answer; 403 on every mutating endpoint of every source for a viewer and a
// jobs:read token; audit rows with the source and keys; dry-run `allowed` = the real call.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as S from "../../lib/api/schemas";
import { sourcesResponse, workersResponse } from "../../lib/api/source-schemas";
import { createApiToken } from "../../lib/auth/tokens";
import { type CookieJar, demoSignIn } from "../helpers/demo-session";
import { snapshotData } from "../helpers/snapshot";
import { failing, sql, until } from "../sources/pgboss/harness";
import { appDir } from "./server";
import { createSourcesWorld, Q, type SourcesWorld, THRESHOLD } from "./sources-fixture";

let w: SourcesWorld;
const enc = encodeURIComponent;
const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const get = (p: string, token?: string) => fetch(w.app.url + p, { headers: auth(token) });
const post = (p: string, body: unknown, token?: string, type = "application/json") =>
  fetch(w.app.url + p, { method: "POST", headers: { "content-type": type, ...auth(token) }, body: typeof body === "string" ? body : JSON.stringify(body) });
const errorOf = async (r: Response) => ((await r.json()) as { error: { code: string; message: string; fields?: Record<string, string[]> } }).error;
const auditRows = () => w.t.db.query<Record<string, unknown>>("select id, actor, action, source, target_keys, target_ids, filter, affected, outcome, reason, details from audit_events order by id");

beforeAll(async () => {
  w = await createSourcesWorld();
}, 300_000);
afterAll(async () => w?.close());

describe("GET /api/v1/sources and /api/v1/admin/workers", () => {
  it("lists every source with its kind, versions, capabilities and health; the unreachable one unhealthy without a summary", async () => {
    const r = await get("/api/v1/sources", w.tokens.read);
    expect(r.status).toBe(200);
    const b = sourcesResponse.parse(await r.json());
    expect(b.sources.map((s) => s.name)).toEqual(["jobdeck", "billing", "legacy", "mail", "mail_ro", "down"]);
    const by = Object.fromEntries(b.sources.map((s) => [s.name, s]));
    expect(by.billing).toMatchObject({ kind: "pg-boss", library_version: "12.38.0", schema_version: "46", read_only: false, health: { ok: true } });
    expect(by.billing.summary?.counts.dead).toEqual({ value: 2, capped: false });
    expect(by.legacy).toMatchObject({ library_version: "10.4.2", capabilities: { priority: { supported: false } } });
    expect(by.mail).toMatchObject({ kind: "graphile-worker", capabilities: { history: { supported: false, reason: expect.stringMatching(/deletes completed jobs/) } } });
    expect(by.mail_ro).toMatchObject({ read_only: true, capabilities: { retry: { supported: false, reason: "configured read-only" } } });
    expect(by.down).toMatchObject({ health: { ok: false, error: expect.stringMatching(/ECONNREFUSED|connect/) }, summary: null });
    expect(JSON.stringify(b)).not.toContain("postgres://");
    expect((await get("/api/v1/sources")).status).toBe(401);
  });

  it("workers: per source, 409 naming the capability where the source keeps none, 400 unknown, 503 unreachable", async () => {
    for (const s of ["jobdeck", "billing"]) {
      const r = await get(`/api/v1/admin/workers?source=${s}`, w.tokens.read);
      expect(r.status, s).toBe(200);
      expect(workersResponse.parse(await r.json()).source).toBe(s);
    }
    const mail = await get("/api/v1/admin/workers?source=mail", w.tokens.read);
    expect(mail.status).toBe(409);
    expect(await errorOf(mail)).toMatchObject({ code: "unsupported", message: expect.stringMatching(/^source "mail" cannot do workers: graphile-worker has no worker heartbeats/) });
    expect((await get("/api/v1/admin/workers?source=nope", w.tokens.read)).status).toBe(400);
    expect((await get("/api/v1/admin/workers?source=down", w.tokens.read)).status).toBe(503);
  });
});

describe("list, detail and export with source", () => {
  it("a pg-boss list: key, source, native_state; the summary from the source; pages by opaque cursor", async () => {
    const r = await get(`/api/v1/admin/jobs?source=billing&queue=${Q}&per_page=2`, w.tokens.read);
    expect(r.status).toBe(200);
    const b = S.listJobsResponse.parse(await r.json());
    expect(b).toMatchObject({ source: "billing", page: 1, per_page: 2, has_more: true, prev_cursor: null });
    expect(b.summary).toMatchObject({ by_status: { dead: 2, completed: 1, pending: 3 }, by_status_capped: { dead: false }, count_cap: null, by_kind: null, stale_jobs_count: 1 });
    expect(typeof b.next_cursor).toBe("string");
    const seen = [...b.jobs];
    let cursor = b.next_cursor;
    while (cursor !== null) {
      const next = S.listJobsResponse.parse(await (await get(`/api/v1/admin/jobs?source=billing&queue=${Q}&per_page=2&cursor=${enc(String(cursor))}`, w.tokens.read)).json());
      expect(next.page).toBeNull();
      seen.push(...next.jobs);
      cursor = next.next_cursor;
    }
    expect(seen.map((j) => j.key).sort()).toEqual(["ok1", "dead1", "dead2", "later1", "later2", "later3"].map((l) => w.keys[l]).sort());
    const dead = seen.find((j) => j.key === w.keys.dead1)!;
    expect(dead).toMatchObject({ id: w.keys.dead1, source: "billing", kind: Q, queue: Q, state: "dead", native_state: "failed", attempts: 1, max_attempts: 1, campaign_id: null, is_stale: false, can_retry: null });
    expect(dead.last_error).toMatch(/^boom: dead1 failed/);
  });

  it("the native list is unchanged apart from key, source and native_state on each job; its cursor stays a number with its old message", async () => {
    const b = await (await get("/api/v1/admin/jobs?source=jobdeck", w.tokens.read)).json();
    expect(b.source).toBeUndefined();
    expect(b.jobs.map((j: { id: number }) => j.id)).toEqual([w.native.pending, w.native.dead]);
    expect(b.jobs[1]).toMatchObject({ id: w.native.dead, key: String(w.native.dead), source: "jobdeck", state: "dead", native_state: "dead" });
    expect(b.summary.count_cap).toBe(10_000);
    const bad = await get("/api/v1/admin/jobs?cursor=abc", w.tokens.read);
    expect(await errorOf(bad)).toEqual({ code: "invalid_input", message: "cursor must be a whole number", fields: { cursor: ["cursor must be a whole number"] } });
  });

  it("400 for a cursor the source did not hand out, for page=2, and for an unknown source; 409 naming a filter the source cannot apply", async () => {
    const cursor = await get("/api/v1/admin/jobs?source=billing&cursor=abc", w.tokens.read);
    expect(cursor.status).toBe(400);
    expect((await errorOf(cursor)).fields).toHaveProperty("cursor");
    const page = await get("/api/v1/admin/jobs?source=mail&page=2", w.tokens.read);
    expect(page.status).toBe(400);
    expect((await errorOf(page)).message).toMatch(/pages by cursor only/);
    const unknown = await get("/api/v1/admin/jobs?source=nope", w.tokens.read);
    expect(unknown.status).toBe(400);
    expect(await errorOf(unknown)).toMatchObject({ code: "invalid_input", message: 'unknown source "nope"; sources are jobdeck, billing, legacy, mail, mail_ro, down' });
    const filter = await get("/api/v1/admin/jobs?source=billing&worker=w1", w.tokens.read);
    expect(filter.status).toBe(409);
    expect(await errorOf(filter)).toMatchObject({ code: "unsupported", message: expect.stringMatching(/^source "billing" cannot do filter:worker: pg-boss does not record which worker/) });
  });

  it("detail by URL-encoded key: payload masked for a reader, stored for an admin; 404 for a key that is not there", async () => {
    const url = `/api/v1/admin/jobs/${enc(w.keys.dead1)}?source=billing`;
    const r = await get(url, w.tokens.read);
    expect(r.status).toBe(200);
    expect(r.headers.get("x-jobdeck-redacted")).toBe("true");
    const b = S.jobDetailResponse.parse(await r.json());
    expect(b).toMatchObject({ source: "billing", attempts: null, job: { key: w.keys.dead1, state: "dead", can_retry: true, payload: { label: "dead1", fail: true, token: "••••" } } });
    expect(b.job.recovery_hint).toMatch(/Failed for good/);
    expect(b.job.last_error).toMatch(/second line of the message/);
    const admin = await get(url, w.tokens.admin);
    expect(admin.headers.get("x-jobdeck-redacted")).toBe("false");
    expect((await admin.json()).job.payload.token).toBe("s3cret");
    expect((await get(`/api/v1/admin/jobs/${enc(`${Q}:00000000-0000-4000-8000-000000000000`)}?source=billing`, w.tokens.read)).status).toBe(404);
    expect((await get(`/api/v1/admin/jobs/not-a-key?source=billing`, w.tokens.read)).status).toBe(404);
    const graphile = await (await get(`/api/v1/admin/jobs/${w.keys.welcome}?source=mail`, w.tokens.read)).json();
    expect(graphile.job).toMatchObject({ id: w.keys.welcome, source: "mail", kind: "send_welcome", state: "pending", payload: { to: "a@example.com", password: "••••" } });
    // Without source the path is a native id, checked as before.
    expect(await errorOf(await get(`/api/v1/admin/jobs/${enc(w.keys.dead1)}`, w.tokens.read))).toMatchObject({ code: "invalid_input", message: "id must be a job id (a positive whole number)" });
  });

  it("export: NDJSON of the detail's fields with the payload, masked by the caller's rule; 409 for an unsupported filter before any line", async () => {
    const r = await get(`/api/v1/admin/jobs/export?source=mail&state=dead`, w.tokens.read);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("application/x-ndjson");
    expect(r.headers.get("x-jobdeck-redacted")).toBe("true");
    const lines = (await r.text()).trim().split("\n").map((l) => S.exportLine.parse(JSON.parse(l)));
    expect(lines.map((l) => l.key)).toEqual(["hook4", "hook3", "hook2", "hook1"].map((l) => w.keys[l]));
    expect(lines[0]).toMatchObject({ source: "mail", kind: "hook", state: "dead", payload: { i: 4 }, can_retry: true, last_error: expect.stringMatching(/ECONNRESET/) });
    const limited = await (await get(`/api/v1/admin/jobs/export?source=billing&limit=1&queue=${Q}`, w.tokens.read)).text();
    expect(limited.trim().split("\n")).toHaveLength(1);
    const bad = await get(`/api/v1/admin/jobs/export?source=billing&worker=w1`, w.tokens.read);
    expect(bad.status).toBe(409);
  });

  it("the expensive-filter budget applies to other sources: a token's fifth worker-filtered read in the window is a 429", async () => {
    const token = (await createApiToken(w.t.db, { name: "budget", owner: "o", scopes: ["jobs:read"], actor: { name: "test" } })).token;
    for (let i = 0; i < 4; i++) expect((await get("/api/v1/admin/jobs?source=mail&worker=pool-x", token)).status).toBe(200);
    const r = await get("/api/v1/admin/jobs?source=mail&worker=pool-x", token);
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});

describe("an unreachable source", () => {
  it("503 on its endpoints while jobdeck and the other sources answer", async () => {
    const key = `${Q}:00000000-0000-4000-8000-000000000000`;
    for (const [p, r] of [
      ["list", await get("/api/v1/admin/jobs?source=down", w.tokens.read)],
      ["detail", await get(`/api/v1/admin/jobs/${enc(key)}?source=down`, w.tokens.read)],
      ["export", await get("/api/v1/admin/jobs/export?source=down", w.tokens.read)],
      ["retry", await post(`/api/v1/admin/jobs/${enc(key)}/retry?source=down`, {}, w.tokens.write)],
      ["bulk", await post("/api/v1/admin/jobs/cancel", { source: "down", state: "pending" }, w.tokens.write)],
    ] as const) {
      expect(r.status, p).toBe(503);
      expect((await errorOf(r)).code, p).toBe("unavailable");
    }
    expect((await get("/api/v1/admin/jobs", w.tokens.read)).status).toBe(200);
    expect((await get("/api/v1/admin/jobs?source=jobdeck", w.tokens.read)).status).toBe(200);
    expect((await get("/api/v1/admin/jobs?source=mail", w.tokens.read)).status).toBe(200);
  });
});

// ---- mutations ----

/** The mutating route files under app/api/v1/admin/jobs, found by walking the build's app. */
function mutatingJobRoutes(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f === "route.ts" && /export\s+const\s+(POST|PUT|PATCH|DELETE)\b/.test(readFileSync(p, "utf8"))) found.push(path.relative(path.join(dir, "app"), path.dirname(p)));
    }
  };
  walk(path.join(dir, "app/api/v1/admin/jobs"));
  return found.sort();
}

describe("refusals before anything changes", () => {
  let viewer: CookieJar;
  beforeAll(async () => {
    viewer = await demoSignIn(w.app.url, "viewer");
  });

  it("every mutating jobs endpoint, for every source: anonymous 401, a jobs:read token 403, a viewer's session 403; nothing changes anywhere", async () => {
    const routes = mutatingJobRoutes(await appDir());
    expect(routes).toEqual(["api/v1/admin/jobs/[id]/cancel", "api/v1/admin/jobs/[id]/priority", "api/v1/admin/jobs/[id]/retry", "api/v1/admin/jobs/cancel", "api/v1/admin/jobs/recover-stale", "api/v1/admin/jobs/retry"]);
    const keyOf: Record<string, string> = { jobdeck: String(w.native.dead), billing: w.keys.dead2, legacy: w.keys.report, mail: w.keys.hook1, mail_ro: w.keys.hook1, down: w.keys.dead2 };
    const before = await snapshotData(w.t.db, { ignoreTokenUse: true });
    const foreignBefore = await sql(w.t.url, "select (select json_agg(j order by id) from pgboss.job j) a, (select json_agg(j order by id) from legacy.job j) b, (select json_agg(j order by id) from graphile_worker.jobs j) c");
    let checked = 0;
    for (const [source, key] of Object.entries(keyOf)) {
      for (const route of routes) {
        const url = `/${route.replace("[id]", enc(key))}?source=${source}`;
        const send = (headers: Record<string, string>) =>
          fetch(w.app.url + url, { method: "POST", headers: { "content-type": "application/json", origin: w.app.url, ...headers }, body: JSON.stringify({ source, ids: [key], priority: 5, reason: "x" }) });
        expect((await send({})).status, `${url} anonymous`).toBe(401);
        expect((await send(auth(w.tokens.read))).status, `${url} jobs:read`).toBe(403);
        expect((await send({ cookie: viewer.header() })).status, `${url} viewer`).toBe(403);
        checked++;
      }
    }
    expect(checked).toBe(36);
    expect(await snapshotData(w.t.db, { ignoreTokenUse: true })).toEqual(before);
    expect(await sql(w.t.url, "select (select json_agg(j order by id) from pgboss.job j) a, (select json_agg(j order by id) from legacy.job j) b, (select json_agg(j order by id) from graphile_worker.jobs j) c")).toEqual(foreignBefore);
  });

  it("409 unsupported naming the capability: priority on pg-boss 10, anything on a read-only source, recover by worker on pg-boss; nothing is audited as done", async () => {
    const prio = await post(`/api/v1/admin/jobs/${enc(w.keys.report)}/priority?source=legacy`, { priority: 5 }, w.tokens.write);
    expect(prio.status).toBe(409);
    expect(await errorOf(prio)).toMatchObject({ code: "unsupported", message: expect.stringMatching(/^source "legacy" cannot do priority: pg-boss 10 has no function/) });
    for (const action of ["retry", "cancel"]) {
      const r = await post(`/api/v1/admin/jobs/${w.keys.hook1}/${action}?source=mail_ro`, {}, w.tokens.write);
      expect(r.status).toBe(409);
      expect((await errorOf(r)).message).toBe(`source "mail_ro" cannot do ${action}: configured read-only`);
    }
    const bulk = await post("/api/v1/admin/jobs/retry", { source: "mail_ro", state: "dead" }, w.tokens.write);
    expect(await errorOf(bulk)).toMatchObject({ code: "unsupported", message: 'source "mail_ro" cannot do retry: configured read-only' });
    const byWorker = await post("/api/v1/admin/jobs/recover-stale?source=billing", { worker_id: "w1" }, w.tokens.write);
    expect(byWorker.status).toBe(409);
    expect((await errorOf(byWorker)).message).toMatch(/cannot do recoverStale: pg-boss does not record which worker/);
    expect((await auditRows()).filter((a) => String(a.action).startsWith("api.jobs"))).toEqual([]);
  });

  it("400: an unknown source, a source named differently in the query and the body, a limit for another source", async () => {
    expect(await errorOf(await post("/api/v1/admin/jobs/retry?source=nope", { state: "dead" }, w.tokens.write))).toMatchObject({ code: "invalid_input", message: expect.stringMatching(/^unknown source "nope"/) });
    expect((await errorOf(await post("/api/v1/admin/jobs/retry?source=mail", { source: "billing", state: "dead" }, w.tokens.write))).message).toMatch(/in the query but "billing" in the body/);
    expect((await errorOf(await post("/api/v1/admin/jobs/cancel", { source: "billing", state: "pending", limit: 1 }, w.tokens.write))).message).toMatch(/^limit applies to the jobdeck source only/);
  });
});

describe("actions through the adapters", () => {
  it("retry of a dead pg-boss job by key: 200 with the job, audited with the source and key; pg-boss's own worker then completes it; again → 409 naming why", async () => {
    failing.on = false; // the bug is fixed
    const r = await post(`/api/v1/admin/jobs/${enc(w.keys.dead1)}/retry?source=billing`, { reason: "invoice bug fixed" }, w.tokens.write);
    expect(r.status).toBe(200);
    const b = S.singleJobResponse.parse(await r.json());
    expect(b).toMatchObject({ source: "billing", changed: true, job: { key: w.keys.dead1, source: "billing" } });
    const [audit] = (await auditRows()).filter((a) => a.action === "api.jobs.retry");
    expect(audit).toMatchObject({ actor: "token:runbook (sre@example.com)", source: "billing", target_keys: [w.keys.dead1], affected: 1, outcome: "ok", reason: "invoice bug fixed", target_ids: null });
    await until("pg-boss's worker to complete the retried job", async () => (await w.bossState("dead1")) === "completed");
    const again = await post(`/api/v1/admin/jobs/${enc(w.keys.dead1)}/retry?source=billing`, {}, w.tokens.write);
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toMatchObject({ code: "conflict", message: expect.stringMatching(/was not changed: completed: pg-boss has no function/) });
    expect((await post(`/api/v1/admin/jobs/${enc(`${Q}:00000000-0000-4000-8000-000000000000`)}/retry?source=billing`, {}, w.tokens.write)).status).toBe(404);
  });

  it("priority and cancel on pg-boss 12 by key", async () => {
    const p = await post(`/api/v1/admin/jobs/${enc(w.keys.later1)}/priority?source=billing`, { priority: 7 }, w.tokens.write);
    expect(p.status).toBe(200);
    expect((await p.json()).job).toMatchObject({ key: w.keys.later1, priority: 7 });
    const c = await post(`/api/v1/admin/jobs/${enc(w.keys.later2)}/cancel?source=billing`, {}, w.tokens.write);
    expect(c.status).toBe(200);
    expect((await c.json()).job).toMatchObject({ state: "cancelled", native_state: "cancelled" });
    expect(await w.bossState("later2")).toBe("cancelled");
  });

  it("bulk over the threshold on a graphile-worker source: the operator's dry run says not allowed and the real call is refused (audited, nothing changed); the admin's dry run says allowed and the real call retries them", async () => {
    const filter = { source: "mail", state: "dead", kind: "hook" };
    const dry = S.bulkResponse.parse(await (await post("/api/v1/admin/jobs/retry", { ...filter, dry_run: true }, w.tokens.write)).json());
    expect(dry).toMatchObject({ source: "mail", dry_run: true, matched: THRESHOLD + 1, affected: THRESHOLD + 1, allowed: false, bulk_confirm_threshold: THRESHOLD, keys: null });
    const refused = await post("/api/v1/admin/jobs/retry", { ...filter, reason: "hooks back" }, w.tokens.write);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toBe(`this would change ${THRESHOLD + 1} jobs; more than ${THRESHOLD} at once needs the admin role (narrow the filter or set a limit)`);
    const [row] = (await auditRows()).filter((a) => a.outcome === "refused");
    expect(row).toMatchObject({ action: "api.jobs.retry", source: "mail", affected: 0, details: { would_change: THRESHOLD + 1 } });
    expect((await (await get("/api/v1/admin/jobs?source=mail&state=dead", w.tokens.read)).json()).jobs).toHaveLength(THRESHOLD + 1);

    const adminDry = await (await post("/api/v1/admin/jobs/retry", { ...filter, dry_run: true }, w.tokens.admin)).json();
    expect(adminDry).toMatchObject({ allowed: true, affected: THRESHOLD + 1 });
    const done = S.bulkResponse.parse(await (await post("/api/v1/admin/jobs/retry", { ...filter, reason: "hooks back" }, w.tokens.admin)).json());
    expect(done).toMatchObject({ source: "mail", dry_run: false, matched: THRESHOLD + 1, affected: THRESHOLD + 1, skipped: {}, not_found: 0, keys_truncated: false });
    const keys = ("keys" in done ? done.keys : null) ?? [];
    expect(keys.slice().sort()).toEqual(["hook1", "hook2", "hook3", "hook4"].map((l) => w.keys[l]).sort());
    const ok = (await auditRows()).filter((a) => a.action === "api.jobs.retry" && a.source === "mail" && a.outcome === "ok");
    expect(ok.flatMap((a) => a.target_keys as string[]).sort()).toEqual(keys.slice().sort());
    // graphile-worker's reschedule_jobs with attempts 0: they wait to run again.
    expect((await (await get("/api/v1/admin/jobs?source=mail&state=pending&kind=hook", w.tokens.read)).json()).jobs).toHaveLength(THRESHOLD + 1);
  });

  it("keys in the body and NDJSON export lines: a dry run's allowed counts the keys as the real call does; cancel by keys; another source's lines are refused", async () => {
    const keys = [w.keys.hook1, w.keys.hook2, w.keys.hook3, w.keys.hook4];
    const dry = await (await post("/api/v1/admin/jobs/cancel", { source: "mail", ids: keys, dry_run: true }, w.tokens.write)).json();
    expect(dry).toMatchObject({ dry_run: true, matched: 4, affected: 4, allowed: false });
    const refused = await post("/api/v1/admin/jobs/cancel", { source: "mail", ids: keys }, w.tokens.write);
    expect(refused.status).toBe(403);
    const exported = await (await get(`/api/v1/admin/jobs/export?source=mail&kind=hook&limit=${THRESHOLD}`, w.tokens.read)).text();
    const ndjsonDry = await (await post("/api/v1/admin/jobs/retry?source=mail&dry_run=true", exported, w.tokens.write, "application/x-ndjson")).json();
    expect(ndjsonDry).toMatchObject({ source: "mail", matched: THRESHOLD, allowed: true, affected: 0, skipped: { "pending: it has not failed (use run now)": THRESHOLD } });
    const cancelled = await (await post("/api/v1/admin/jobs/cancel?source=mail", { ids: keys.slice(0, THRESHOLD) }, w.tokens.write)).json();
    expect(cancelled).toMatchObject({ source: "mail", affected: THRESHOLD, skipped_running: 0 });
    const wrong = await post("/api/v1/admin/jobs/retry?source=billing", exported, w.tokens.write, "application/x-ndjson");
    expect(wrong.status).toBe(400);
    expect((await errorOf(wrong)).message).toBe('line 1: a job of source "mail", not "billing"');
  });

  it("recover-stale for pg-boss: every expired job through pg-boss's fail(), audited with the keys", async () => {
    const r = await post("/api/v1/admin/jobs/recover-stale", { source: "billing", reason: "box rebooted" }, w.tokens.write);
    expect(r.status).toBe(200);
    expect(S.recoverStaleResponse.parse(await r.json())).toEqual({ source: "billing", recovered: 1, matched: 1, keys: [w.keys.stuck], keys_truncated: false, skipped_by_reason: {} });
    expect(await w.bossState("stuck")).toBe("failed");
    const [a] = (await auditRows()).filter((x) => x.action === "api.jobs.recover_stale");
    expect(a).toMatchObject({ source: "billing", target_keys: [w.keys.stuck], reason: "box rebooted", outcome: "ok" });
  });
});
