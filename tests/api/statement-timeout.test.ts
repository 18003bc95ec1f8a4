// "No read runs forever", over HTTP against the production build: with
// JOBDECK_STATEMENT_TIMEOUT_MS=200, a job list that cannot finish (another session holds the jobs
// table locked, so every read of it waits) is cancelled by PostgreSQL: the API answers 503
// query_timeout with the message, the /jobs page shows it instead of hanging, more such requests
// than the pool has connections all end the same way, and once the table is free the very next
// requests are served. A bad value of the setting stops start-up (exit 78).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createApiToken } from "../../lib/auth/tokens";
import { type CookieJar, demoSignIn } from "../helpers/demo-session";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { type RunningServer, startServer, startServerExpectingExit } from "./server";

const MESSAGE = "this filter scanned too long — narrow the time range";

let t: TestDatabase;
let app: RunningServer;
let token: string;
let viewer: CookieJar;

beforeAll(async () => {
  t = await createTestDatabase("api_statement_timeout");
  await t.db.query("insert into jobs (kind, queue, payload) select 'mail', 'default', jsonb_build_object('n', g) from generate_series(1, 30) g");
  token = (await createApiToken(t.db, { name: "timeout-probe", owner: "ops@example.com", scopes: ["jobs:read"], actor: { name: "test" } })).token;
  app = await startServer({ databaseUrl: t.url, env: { JOBDECK_STATEMENT_TIMEOUT_MS: "200", JOBDECK_DB_POOL_SIZE: "4" } });
  viewer = await demoSignIn(app.url, "viewer");
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await t?.drop();
});

const listJobs = () => fetch(`${app.url}/api/v1/admin/jobs?kind=mail&per_page=5`, { headers: { authorization: `Bearer ${token}` } });
const jobsPage = () => fetch(`${app.url}/jobs?payload=${encodeURIComponent('{"n":7}')}`, { headers: { cookie: viewer.header() } });

/** Runs `fn` while another session holds the jobs table locked: every read of it waits. */
async function whileJobsLocked<T>(fn: () => Promise<T>): Promise<T> {
  const blocker = new pg.Client({ connectionString: t.url });
  await blocker.connect();
  try {
    await blocker.query("begin");
    await blocker.query("lock table jobs in access exclusive mode");
    return await fn();
  } finally {
    await blocker.query("rollback").catch(() => {});
    await blocker.end();
  }
}

describe("a read that runs past JOBDECK_STATEMENT_TIMEOUT_MS", () => {
  it("is a 503 query_timeout from the API, then the next request is served", async () => {
    const responses = await whileJobsLocked(() => Promise.all(Array.from({ length: 10 }, listJobs)));
    for (const r of responses) {
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ error: { code: "query_timeout", message: MESSAGE } });
    }
    const after = await listJobs();
    expect(after.status).toBe(200);
    expect(((await after.json()) as { jobs: unknown[] }).jobs).toHaveLength(5);
  });

  it("shows the message on the /jobs page instead of hanging, then the page lists the job again", async () => {
    const html = await whileJobsLocked(async () => {
      const r = await jobsPage();
      expect(r.status).toBe(200);
      return r.text();
    });
    expect(html).toContain('data-testid="query-timeout"');
    expect(html).toContain("This filter scanned too long — narrow the time range");
    const again = await jobsPage();
    expect(again.status).toBe(200);
    const text = await again.text();
    expect(text).not.toContain("query-timeout");
    expect(text.match(/data-testid="job-row"/g)).toHaveLength(1);
  });
});

it("a bad JOBDECK_STATEMENT_TIMEOUT_MS stops start-up, naming the variable", async () => {
  const { code, output } = await startServerExpectingExit({ databaseUrl: t.url, env: { JOBDECK_STATEMENT_TIMEOUT_MS: "5s" } });
  expect(code).toBe(78);
  expect(output).toContain('JOBDECK_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds (0 = no limit; got "5s")');
}, 90_000);
