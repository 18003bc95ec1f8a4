// What one caller can make the server do, over HTTP against `next start` (tests/api/server.ts):
// list queries with expensive (unindexed) filters are limited per user or token (429 with
// Retry-After; the /jobs page says so instead of failing), filter inputs have size caps (400
// naming the limit), request bodies are capped while they stream (413 naming the limit, chunked
// bodies included), and the public stats are computed at most once per STATS_TTL_MS.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_BODY_BYTES, MAX_NDJSON_BODY_BYTES } from "../../lib/api/body";
import { STATS_TTL_MS } from "../../lib/api/other-handlers";
import { createApiToken } from "../../lib/auth/tokens";
import { JOB_COUNTS_SQL } from "../../lib/queue/counters";
import { type CookieJar, demoSignIn } from "../helpers/demo-session";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { type RunningServer, startServer } from "./server";

const LIMIT = 3;
const WINDOW_SECONDS = 6;

let t: TestDatabase;
let app: RunningServer;
let viewer: CookieJar;
let operator: CookieJar;
const tokens = { read: "", write: "", other: "" };

beforeAll(async () => {
  t = await createTestDatabase("api_request_limits");
  await t.db.query("insert into jobs (kind, state, attempts, finished_at, last_error, payload) select 'limits', 'dead', 1, now(), 'ECONNRESET ' || g, jsonb_build_object('n', g) from generate_series(1, 3) g");
  tokens.read = (await createApiToken(t.db, { name: "grafana", owner: "ops@example.com", scopes: ["jobs:read"], actor: { name: "test" } })).token;
  tokens.other = (await createApiToken(t.db, { name: "grafana-2", owner: "ops@example.com", scopes: ["jobs:read"], actor: { name: "test" } })).token;
  tokens.write = (await createApiToken(t.db, { name: "runbook-bot", owner: "sre@example.com", scopes: ["jobs:read", "jobs:write"], actor: { name: "test" } })).token;
  app = await startServer({
    databaseUrl: t.url,
    env: { JOBDECK_EXPENSIVE_FILTER_LIMIT: String(LIMIT), JOBDECK_EXPENSIVE_FILTER_WINDOW_SECONDS: String(WINDOW_SECONDS), JOBDECK_HEALTH_DETAILS: "1" },
  });
  viewer = await demoSignIn(app.url, "viewer");
  operator = await demoSignIn(app.url, "operator");
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const asUser = (jar: CookieJar, p: string) => fetch(app.url + p, { headers: { cookie: jar.header() } });
const asToken = (token: string, p: string) => fetch(app.url + p, { headers: { authorization: `Bearer ${token}` } });

describe("expensive filters: a budget per caller", () => {
  const payloadList = `/api/internal/jobs?kind=limits&payload=${encodeURIComponent('{"n":1}')}`;

  it(`the live refresh: ${LIMIT} list queries with a payload filter, then 429 with Retry-After naming the filter; cheap filters and other users go on`, async () => {
    for (let i = 0; i < LIMIT; i++) expect((await asUser(viewer, payloadList)).status).toBe(200);
    const r = await asUser(viewer, payloadList);
    expect(r.status).toBe(429);
    const wait = Number(r.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(WINDOW_SECONDS);
    const b = await r.json();
    expect(b).toMatchObject({ code: "rate_limited", fields: ["payload"], retryAfterSeconds: wait });
    expect(b.error).toMatch(new RegExp(`too many searches by payload: .*at most ${LIMIT} of them every ${WINDOW_SECONDS} s`));
    // Indexed filters are not limited; another user has a budget of their own.
    expect((await asUser(viewer, "/api/internal/jobs?kind=limits&state=dead")).status).toBe(200);
    expect((await asUser(operator, payloadList)).status).toBe(200);
  });

  it("the /jobs page over the budget shows which filter and how long to wait (200, not an error page)", async () => {
    const r = await asUser(viewer, `/jobs?kind=limits&errorContains=ECONN`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('data-testid="rate-limited"');
    expect(html).toMatch(/Too many searches by (<!-- -->)?Error contains/);
    expect(html).not.toContain('data-testid="jobs-table"');
  });

  it("the budget frees up after the window", async () => {
    await sleep(WINDOW_SECONDS * 1000);
    expect((await asUser(viewer, payloadList)).status).toBe(200);
  });

  it("API tokens: error_prefix and since spend the token's budget; 429 with Retry-After and code rate_limited; another token goes on", async () => {
    for (let i = 0; i < LIMIT; i++) expect((await asToken(tokens.read, "/api/v1/admin/jobs?error_prefix=ECONN")).status).toBe(200);
    const r = await asToken(tokens.read, "/api/v1/admin/jobs/export?since=1h");
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const b = await r.json();
    expect(b.error.code).toBe("rate_limited");
    expect(b.error.message).toMatch(/too many searches by since/);
    expect((await asToken(tokens.read, "/api/v1/admin/jobs?error_prefix=ECONN")).status).toBe(429);
    expect((await (await asToken(tokens.read, "/api/v1/admin/jobs?error_prefix=ECONN")).json()).error.message).toMatch(/by error_prefix/);
    expect((await asToken(tokens.read, "/api/v1/admin/jobs?state=dead&kind=limits")).status).toBe(200);
    expect((await asToken(tokens.other, "/api/v1/admin/jobs?error_prefix=ECONN")).status).toBe(200);
  });
});

describe("filter input sizes", () => {
  const long = encodeURIComponent(JSON.stringify({ note: "x".repeat(1_000) }));

  it("a payload filter over 1,000 characters is a 400 naming the limit, and a form error on the page", async () => {
    const r = await asUser(operator, `/api/internal/jobs?payload=${long}`);
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatch(/payload filter is longer than 1,000 characters/);
    const page = await asUser(operator, `/jobs?payload=${long}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="invalid-filter"');
    expect(html).toContain("payload filter is longer than 1,000 characters");
  });

  it("an error-text filter over 500 characters is a 400 naming the limit", async () => {
    const r = await asUser(operator, `/api/internal/jobs?errorContains=${"x".repeat(501)}`);
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatch(/longer than 500 characters/);
  });
});

/** A raw HTTP POST that writes `chunk` until the server answers (or `maxBytes` were written); resolves with the status and bytes sent. */
function postUntilAnswered(path: string, headers: Record<string, string>, chunk: Buffer, maxBytes: number): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(app.url + path);
    let sent = 0;
    let answered = false;
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", headers }, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, sent });
      });
    });
    req.on("error", (err) => (answered ? undefined : reject(err)));
    const write = () => {
      while (!answered && sent < maxBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      if (!answered) req.end();
    };
    write();
  });
}

describe("request body caps", () => {
  const retry = (body: BodyInit, type: string, extra: RequestInit = {}) =>
    fetch(`${app.url}/api/v1/admin/jobs/retry`, { method: "POST", headers: { "content-type": type, authorization: `Bearer ${tokens.write}` }, body, ...extra });

  it("a JSON body over 2 MiB with its Content-Length is a 413 naming the limit", async () => {
    const body = JSON.stringify({ state: "dead", reason: "x".repeat(MAX_JSON_BODY_BYTES) });
    const r = await retry(body, "application/json");
    expect(r.status).toBe(413);
    const b = await r.json();
    expect(b.error).toMatchObject({ code: "payload_too_large", message: expect.stringContaining("larger than 2 MiB (2,097,152 bytes)") });
  });

  it("a chunked JSON body (no Content-Length) that never ends: 413 once it passes 2 MiB, without reading the rest", async () => {
    const r = await postUntilAnswered(
      "/api/v1/admin/jobs/cancel",
      { "content-type": "application/json", "transfer-encoding": "chunked", authorization: `Bearer ${tokens.write}` },
      Buffer.alloc(64 * 1024, 0x20),
      20 * MAX_JSON_BODY_BYTES,
    );
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.message).toContain("2 MiB");
    expect(r.sent).toBeLessThan(10 * MAX_JSON_BODY_BYTES);
  });

  it("an NDJSON body declaring more than 64 MiB is refused at once, before it is sent", async () => {
    const r = await postUntilAnswered(
      "/api/v1/admin/jobs/retry",
      { "content-type": "application/x-ndjson", "content-length": String(MAX_NDJSON_BODY_BYTES + 1), authorization: `Bearer ${tokens.write}` },
      Buffer.from('{"id": 1}\n'),
      1024,
    ).catch(() => null);
    // Either the answer arrived before the 1 KiB was even written, or right after it.
    expect(r?.status).toBe(413);
    expect(JSON.parse(r!.body).error).toMatchObject({ code: "payload_too_large", message: expect.stringContaining("larger than 64 MiB") });
  });

  it("a chunked NDJSON body of 65 MiB of valid lines is a 413; under the cap the same lines work", async () => {
    const line = `${JSON.stringify({ id: 999_999_999, payload: "x".repeat(1024 * 1024 - 64) })}\n`;
    const lines = (n: number) =>
      new ReadableStream<Uint8Array>({
        start() {},
        pull(c) {
          if (n-- <= 0) return c.close();
          c.enqueue(new TextEncoder().encode(line));
        },
      });
    const big = await retry(lines(65), "application/x-ndjson", { duplex: "half" } as RequestInit);
    expect(big.status).toBe(413);
    expect((await big.json()).error.message).toContain("64 MiB");
    const small = await retry(lines(3), "application/x-ndjson", { duplex: "half" } as RequestInit);
    expect(small.status).toBe(200);
    expect(await small.json()).toMatchObject({ matched: 0, affected: 0 });
  });
});

describe("GET /api/v1/stats", () => {
  const statsQueriesWaiting = async () =>
    (
      await t.db.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query = $1",
        [JOB_COUNTS_SQL],
      )
    )[0].n;

  it("20 concurrent callers cost one query, and share its answer (as_of)", async () => {
    await sleep(STATS_TTL_MS + 100); // nothing cached from earlier tests
    const { pending } = await t.db.tx(async (q) => {
      // Hold the counters: the stats query (lib/queue/counters JOB_COUNTS_SQL) waits on the lock, where it can be counted.
      await q.query("lock table job_counts in access exclusive mode");
      const pending = Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${app.url}/api/v1/stats`)).json()));
      for (let i = 0; i < 100 && (await statsQueriesWaiting()) === 0; i++) await sleep(100);
      await sleep(1_500); // time for any other caller's query to arrive
      expect(await statsQueriesWaiting()).toBe(1);
      return { pending }; // not awaited here: the answers come once the lock is released
    });
    const answers = await pending;
    expect(new Set(answers.map((a) => a.as_of)).size).toBe(1);
    expect(Number.isNaN(Date.parse(answers[0].as_of))).toBe(false);
  });

  it(`answers from the shared result for ${STATS_TTL_MS} ms after it, then counts again`, async () => {
    const first = await (await fetch(`${app.url}/api/v1/stats`)).json();
    await t.db.query("insert into jobs (kind, state) values ('limits', 'pending')");
    await sleep(STATS_TTL_MS + 200);
    const later = await (await fetch(`${app.url}/api/v1/stats`)).json();
    expect(later.as_of).not.toBe(first.as_of);
    expect(later.job_queue_pending).toBe(first.job_queue_pending + 1);
  });
});

describe("GET /api/health with JOBDECK_HEALTH_DETAILS=1", () => {
  it("shows the details to anonymous callers too", async () => {
    const b = await (await fetch(`${app.url}/api/health`)).json();
    expect(b).toMatchObject({ ok: true, database_kind: "postgres", checks: { database: { ok: true, detail: "postgres" } } });
    expect(b.database).toContain(new URL(t.url).pathname.slice(1));
  });
});
