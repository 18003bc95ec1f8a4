// Contract tests of the HTTP API (issue 6) against a running `next start` and a real PostgreSQL
// database of their own. See tests/api/server.ts for how the build is made and reused.
import { readdirSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATS_TTL_MS } from "../../lib/api/other-handlers";
import { createApiToken } from "../../lib/auth/tokens";
import { demoSignIn } from "../helpers/demo-session";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { appDir, type RunningServer, startServer } from "./server";

let t: TestDatabase;
let app: RunningServer;
let readToken: string;
let writeToken: string;
const ids: Record<string, number> = {};

const get = (p: string, token?: string) => fetch(app.url + p, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const post = (p: string, body: unknown, token?: string, type = "application/json") =>
  fetch(app.url + p, {
    method: "POST",
    headers: { "content-type": type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function insertJob(fields: Record<string, unknown>): Promise<number> {
  const cols = Object.keys(fields);
  const [r] = await t.db.query<{ id: number }>(
    `insert into jobs (${cols.join(", ")}) values (${cols.map((c, i) => (c.endsWith("_at") || c === "locked_until" || c === "run_at" ? `now() + ($${i + 1} || ' seconds')::interval` : `$${i + 1}`)).join(", ")}) returning id`,
    Object.values(fields),
  );
  return r.id;
}

beforeAll(async () => {
  t = await createTestDatabase("api");
  ids.dead1 = await insertJob({ kind: "send_email", queue: "mail", state: "dead", attempts: 5, last_error: "SMTP timeout: 421", finished_at: "-60" });
  ids.dead2 = await insertJob({ kind: "send_email", queue: "mail", state: "dead", attempts: 5, last_error: "SMTP timeout: 450", finished_at: "-30" });
  ids.dead3 = await insertJob({ kind: "resize", queue: "media", state: "dead", attempts: 5, last_error: "bad image", finished_at: "-30" });
  ids.pending = await insertJob({ kind: "resize", queue: "media", state: "pending", run_at: "-120" });
  ids.running = await insertJob({ kind: "send_email", queue: "mail", state: "running", attempts: 1, locked_by: "w-gone", locked_until: "-60", started_at: "-300" });
  ids.completed = await insertJob({ kind: "resize", queue: "media", state: "completed", attempts: 1, finished_at: "-10" });
  readToken = (await createApiToken(t.db, { name: "grafana", owner: "ops@example.com", scopes: ["jobs:read"], actor: { name: "test" } })).token;
  writeToken = (await createApiToken(t.db, { name: "runbook-bot", owner: "sre@example.com", scopes: ["jobs:read", "jobs:write"], actor: { name: "test" } })).token;
  app = await startServer({ databaseUrl: t.url });
}, 900_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

describe("GET /api/v1/admin/jobs", () => {
  it("returns the runbook's summary and job shape", async () => {
    const r = await get("/api/v1/admin/jobs", readToken);
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b.summary.by_status).toMatchObject({ dead: 3, pending: 1, running: 1, completed: 1, failed: 0, cancelled: 0 });
    expect(b.summary.by_status_capped.completed).toBe(false);
    expect(b.summary.by_kind).toEqual({ resize: 1, send_email: 1 });
    expect(b.summary.stale_jobs_count).toBe(1);
    expect(b.summary.oldest_pending_age_minutes).toBeGreaterThanOrEqual(1.9);
    expect(b.jobs).toHaveLength(6);
    const running = b.jobs.find((j: { id: number }) => j.id === ids.running);
    expect(Object.keys(running)).toEqual(expect.arrayContaining(["id", "kind", "queue", "state", "attempts", "max_attempts", "priority", "last_error", "locked_by", "locked_until", "is_stale", "can_retry", "recovery_hint", "created_at", "run_at", "finished_at"]));
    expect(running).toMatchObject({ is_stale: true, can_retry: false, locked_by: "w-gone" });
    expect(b.jobs.find((j: { id: number }) => j.id === ids.dead1)).toMatchObject({ can_retry: true, is_stale: false });
  });

  it("pages by cursor and by page number, with the same results", async () => {
    const p1 = await (await get("/api/v1/admin/jobs?per_page=2", readToken)).json();
    expect(p1.jobs.map((j: { id: number }) => j.id)).toEqual([ids.completed, ids.running]);
    expect(p1.next_cursor).toBe(ids.running);
    const byCursor = await (await get(`/api/v1/admin/jobs?per_page=2&cursor=${p1.next_cursor}`, readToken)).json();
    const byPage = await (await get("/api/v1/admin/jobs?per_page=2&page=2", readToken)).json();
    expect(byPage.jobs).toEqual(byCursor.jobs);
    const last = await (await get("/api/v1/admin/jobs?per_page=2&page=3", readToken)).json();
    expect(last.has_more).toBe(false);
    expect(last.next_cursor).toBeNull();
  });

  it("filters by state and kind", async () => {
    const b = await (await get("/api/v1/admin/jobs?state=dead&kind=send_email", readToken)).json();
    expect(b.jobs.map((j: { id: number }) => j.id).sort()).toEqual([ids.dead1, ids.dead2].sort());
  });

  it.each([
    ["state=bogus", "state"],
    ["per_page=100000", "per_page"],
    ["since=banana", "since"],
    ["page=1&cursor=5", "page"],
    ["page=200&per_page=500", "page"],
    ["colour=red", "colour"],
  ])("400 for %s", async (qs, field) => {
    const r = await get(`/api/v1/admin/jobs?${qs}`, readToken);
    expect(r.status).toBe(400);
    const b = await r.json();
    expect(b.error.code).toBe("invalid_input");
    expect(b.error.message).toContain(field);
  });

  it("401 for a bad token", async () => {
    const r = await get("/api/v1/admin/jobs", "jd_1_" + "x".repeat(43));
    expect(r.status).toBe(401);
    expect((await r.json()).error.code).toBe("unauthorized");
  });

  it("401 without a token or a session: reading jobs needs a caller", async () => {
    for (const p of ["/api/v1/admin/jobs", `/api/v1/admin/jobs/${ids.dead1}`, "/api/v1/admin/jobs/export?state=dead", "/api/internal/jobs"]) {
      const r = await get(p);
      expect(r.status, p).toBe(401);
    }
    const b = await (await get("/api/v1/admin/jobs")).json();
    expect(b.error).toMatchObject({ code: "unauthorized", message: expect.stringMatching(/sign in or send an API token/) });
  });

  it("a malformed Authorization header is 401, never a fallback to the session", async () => {
    const r = await fetch(app.url + "/api/v1/admin/jobs", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(r.status).toBe(401);
    expect((await r.json()).error.message).toContain("Bearer");
  });
});

describe("single jobs", () => {
  it("GET /jobs/{id}: 400 non-numeric, 404 unknown, 200 with payload and attempts", async () => {
    expect((await get("/api/v1/admin/jobs/abc", readToken)).status).toBe(400);
    const nf = await get("/api/v1/admin/jobs/999999", readToken);
    expect(nf.status).toBe(404);
    expect((await nf.json()).error.code).toBe("not_found");
    const b = await (await get(`/api/v1/admin/jobs/${ids.dead3}`, readToken)).json();
    expect(b.job).toMatchObject({ id: ids.dead3, state: "dead", payload: {} });
    expect(Array.isArray(b.attempts)).toBe(true);
  });

  it("a jobs:read token cannot retry (403), nor can an anonymous caller (401); the job is unchanged", async () => {
    const r = await post(`/api/v1/admin/jobs/${ids.dead3}/retry`, {}, readToken);
    expect(r.status).toBe(403);
    expect((await r.json()).error.message).toContain("jobs:write");
    const anon = await post(`/api/v1/admin/jobs/${ids.dead3}/retry`, {});
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe("unauthorized");
    const [j] = await t.db.query<{ state: string }>("select state from jobs where id = $1", [ids.dead3]);
    expect(j.state).toBe("dead");
  });

  it("retry of a running job is 409; priority validates; retry audits with the token's name and owner", async () => {
    const running = await post(`/api/v1/admin/jobs/${ids.running}/retry`, {}, writeToken);
    expect(running.status).toBe(409);
    expect((await running.json()).error.code).toBe("job_running");
    expect((await post(`/api/v1/admin/jobs/${ids.pending}/priority`, { priority: 1000 }, writeToken)).status).toBe(400);
    const pr = await post(`/api/v1/admin/jobs/${ids.pending}/priority`, { priority: 40 }, writeToken);
    expect(pr.status).toBe(200);
    expect((await pr.json()).job.priority).toBe(40);
    const r = await post(`/api/v1/admin/jobs/${ids.dead3}/retry`, { reason: "image fixed" }, writeToken);
    expect(r.status).toBe(200);
    expect((await r.json()).job).toMatchObject({ id: ids.dead3, state: "pending", attempts: 0 });
    const [a] = await t.db.query<{ actor: string; reason: string; target_ids: number[] }>(
      "select actor, reason, target_ids from audit_events where action = 'api.jobs.retry' order by id desc limit 1",
    );
    expect(a).toMatchObject({ actor: "token:runbook-bot (sre@example.com)", reason: "image fixed", target_ids: [ids.dead3] });
  });
});

describe("bulk and NDJSON", () => {
  it("dry run counts without changing; running jobs are never touched", async () => {
    const r = await post("/api/v1/admin/jobs/retry", { state: ["dead", "running"], kind: "send_email", dry_run: true }, writeToken);
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b).toMatchObject({ dry_run: true, matched: 3, affected: 2, skipped_running: 1 });
    expect(b.ids.sort()).toEqual([ids.dead1, ids.dead2].sort());
    const rows = await t.db.query<{ n: number }>("select count(*)::int as n from jobs where state = 'dead' and kind = 'send_email'");
    expect(rows[0].n).toBe(2);
    expect((await post("/api/v1/admin/jobs/retry", {}, writeToken)).status).toBe(400);
    expect((await post("/api/v1/admin/jobs/retry", { since: "banana", state: "dead" }, writeToken)).status).toBe(400);
  });

  it("export → retry pipe", async () => {
    const exp = await get("/api/v1/admin/jobs/export?state=dead&error_prefix=SMTP%20timeout", readToken);
    expect(exp.status).toBe(200);
    expect(exp.headers.get("content-type")).toContain("ndjson");
    const text = await exp.text();
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id).sort()).toEqual([ids.dead1, ids.dead2].sort());
    expect(lines[0]).toHaveProperty("payload");
    const bad = await post("/api/v1/admin/jobs/retry", "{\"id\": 1}\nnot json\n", writeToken, "application/x-ndjson");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain("line 2");
    const r = await post("/api/v1/admin/jobs/retry?reason=smtp%20fixed", text, writeToken, "application/x-ndjson");
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b).toMatchObject({ matched: 2, affected: 2, skipped_running: 0 });
    const states = await t.db.query<{ state: string }>("select state from jobs where id = any($1::bigint[])", [[ids.dead1, ids.dead2]]);
    expect(states.every((s) => s.state === "pending")).toBe(true);
    const [a] = await t.db.query<{ actor: string; reason: string; affected: number }>("select actor, reason, affected from audit_events where action = 'api.jobs.retry' order by id desc limit 1");
    expect(a).toMatchObject({ actor: "token:runbook-bot (sre@example.com)", reason: "smtp fixed", affected: 2 });
  });

  it("recover-stale returns the recovered ids", async () => {
    const r = await post("/api/v1/admin/jobs/recover-stale", {}, writeToken);
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b.ids).toEqual([ids.running]);
    expect(b.recovered).toBe(1);
  });
});

describe("stats, metrics, campaigns", () => {
  it("GET /api/v1/stats needs no auth", async () => {
    const b = await (await get("/api/v1/stats")).json();
    expect(b).toEqual({ job_queue_pending: expect.any(Number), job_queue_running: expect.any(Number), workers_online: expect.any(Number), as_of: expect.any(String) });
  });

  it("GET /api/metrics needs a jobs:read token and speaks Prometheus", async () => {
    expect((await get("/api/metrics")).status).toBe(401);
    const r = await get("/api/metrics", readToken);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/^# TYPE jobdeck_jobs gauge$/m);
    expect(text).toMatch(/^jobdeck_jobs\{state="pending",queue="mail",kind="send_email"\} \d+$/m);
    expect(text).toMatch(/^jobdeck_workers_online 0$/m);
  });

  it("campaigns: 400 non-numeric, 404 unknown", async () => {
    expect((await get("/api/v1/admin/campaigns/x", readToken)).status).toBe(400);
    expect((await get("/api/v1/admin/campaigns/424242", readToken)).status).toBe(404);
  });
});

describe("GET /api/v1/admin/audit/export", () => {
  it("admin tokens (audit:read + admin) get the audit log as NDJSON or CSV, filtered like /audit; others are refused", async () => {
    const auditor = (await createApiToken(t.db, { name: "siem", owner: "sec@example.com", scopes: ["audit:read", "admin"], actor: { name: "test" } })).token;
    const notAdmin = (await createApiToken(t.db, { name: "audit-only", owner: "sec@example.com", scopes: ["audit:read"], actor: { name: "test" } })).token;
    const [{ n }] = await t.db.query<{ n: number }>("select count(*)::int as n from audit_events where action like 'tokens.%'");
    const nd = await get("/api/v1/admin/audit/export?action=tokens.*", auditor);
    expect(nd.status).toBe(200);
    expect(nd.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await nd.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(n);
    expect(lines.every((e) => e.action === "tokens.create")).toBe(true);
    expect(lines[0]).toMatchObject({ action: "tokens.create", actor: "test", outcome: "ok" });
    const csv = await get("/api/v1/admin/audit/export?format=csv&action=tokens.create", auditor);
    expect(csv.status).toBe(200);
    expect((await csv.text()).split("\r\n")[0]).toBe("id,at,actor,roles,action,target_ids,filter,affected,skipped,reason,outcome,details,source,target_keys");
    expect((await get("/api/v1/admin/audit/export?since=banana", auditor)).status).toBe(400);
    expect((await get("/api/v1/admin/audit/export?format=xml", auditor)).status).toBe(400);
    // audit:read without admin, an operator token, nobody: refused before anything is read.
    expect((await get("/api/v1/admin/audit/export", notAdmin)).status).toBe(403);
    expect((await get("/api/v1/admin/audit/export", writeToken)).status).toBe(403);
    expect((await get("/api/v1/admin/audit/export")).status).toBe(401);
  });
});

describe("health and OpenAPI", () => {
  it("GET /api/health is 200 with the database up", async () => {
    const r = await get("/api/health");
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b.checks.database.ok).toBe(true);
    expect(b.checks.migrations.ok).toBe(true);
    expect(b.checks.workers).toMatchObject({ ok: false });
  });

  it("GET /api/health tells anonymous callers the status only; a token (or a session) gets the details", async () => {
    const dbName = new URL(t.url).pathname.slice(1);
    const anonymous = await (await get("/api/health")).json();
    expect(anonymous).toEqual({
      ok: true,
      status: "degraded",
      failing: ["workers"],
      checks: { database: { ok: true }, migrations: { ok: true }, workers: { ok: false } },
      details: expect.stringContaining("signed-in users and API tokens"),
    });
    expect(JSON.stringify(anonymous)).not.toContain(dbName);
    // A token that does not check out is anonymous here (still 200: load balancers send none).
    const bad = await get("/api/health", "jd_1_" + "x".repeat(43));
    expect(bad.status).toBe(200);
    expect(await bad.json()).not.toHaveProperty("database");
    const b = await (await get("/api/health", readToken)).json();
    expect(b).toMatchObject({ ok: true, version: expect.any(String), database_kind: "postgres", workers_online: 0, pending_migrations: [] });
    expect(b.database).toContain(dbName);
    expect(b.checks.workers).toEqual({ ok: false, detail: "0 online" });
  });

  it("the OpenAPI document is 3.1 and lists exactly the route files under app/api/v1", async () => {
    const doc = await (await get("/api/v1/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBeTruthy();
    // The route files of the tree that was built and is being served.
    const root = path.join(await appDir(), "app/api/v1");
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = path.join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (f === "route.ts") found.push("/api/v1" + path.relative(root, dir).split(path.sep).map((s) => "/" + s.replace(/^\[(.+)\]$/, "{$1}")).join(""));
      }
    };
    walk(root);
    const documented = Object.keys(doc.paths).filter((p) => p.startsWith("/api/v1"));
    expect(documented.sort()).toEqual(found.map((p) => p.replace(/\/$/, "")).sort());
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: object; operationId: string }>>)) {
      for (const [m, op] of Object.entries(ops)) {
        expect(["get", "post"]).toContain(m);
        expect(op.responses).toHaveProperty("200");
        expect(op.operationId, p).toBeTruthy();
        if (p.includes("{id}")) expect(JSON.stringify(op)).toContain('"in":"path"');
      }
    }
  });
});

// PostgreSQL is reached through a TCP proxy that the test cuts and restores: the server sees the
// database go away and come back, as when PostgreSQL stops and starts (the shared server itself
// keeps running for the other test files).
function tcpProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, "127.0.0.1");
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  return {
    get port() {
      return port;
    },
    up: listen,
    down: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server?.close(() => resolve());
      }),
  };
}

describe("health while the database goes away and comes back", () => {
  let flaky: TestDatabase;
  let server: RunningServer;
  const proxy = tcpProxy(5432);
  beforeAll(async () => {
    flaky = await createTestDatabase("api_flaky");
    await proxy.up();
    const url = new URL(flaky.url);
    url.port = String(proxy.port);
    server = await startServer({ databaseUrl: url.toString() });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await proxy.down();
    await flaky?.drop();
  });

  it("200, then 503 naming the database check while it is unreachable, then 200 again", async () => {
    const admin = await demoSignIn(server.url, "admin");
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    await proxy.down();
    const r = await fetch(`${server.url}/api/health`);
    expect(r.status).toBe(503);
    const b = await r.json();
    expect(b.failing).toEqual(["database"]);
    expect(b.checks.database.ok).toBe(false);
    // Anonymous: no host, port, database name or error text.
    expect(b).not.toHaveProperty("error");
    expect(b.checks.database).toEqual({ ok: false });
    expect(JSON.stringify(b)).not.toContain(String(proxy.port));
    // Signed in: the details, to find out what is wrong.
    const signedIn = await fetch(`${server.url}/api/health`, { headers: { cookie: admin.header() } });
    expect(signedIn.status).toBe(503);
    const d = await signedIn.json();
    expect(d.database).toContain(String(proxy.port));
    expect(d.error).toBeTruthy();
    // The public stats may answer from their cache for STATS_TTL_MS, then say the database is down.
    await new Promise((res) => setTimeout(res, STATS_TTL_MS + 100));
    const s = await fetch(`${server.url}/api/v1/stats`);
    expect(s.status).toBe(503);
    expect((await s.json()).error.code).toBe("unavailable");
    await proxy.up();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await fetch(`${server.url}/api/health`)).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 250));
    }
    expect(status).toBe(200);
  });
});
