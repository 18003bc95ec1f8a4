// DATABASE_READ_URL against a real streaming replica made by the test (tests/helpers/pg-cluster:
// its own primary and a pg_basebackup replica, each on a free port) and the production build.
// Pausing the replica's replay makes routing visible: a job written on the primary afterwards is
// missing from reads that go to the replica, and pages say how far behind it is. After a server
// action (and after a token's API write) that caller's next reads come from the primary, so they
// see the change while everyone else still reads the paused replica; the writes themselves
// succeed, so they went to the primary (the replica is read-only). A stopped replica hands reads
// to the primary, with a log line and a banner.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";
import { createApiToken } from "../../lib/auth/tokens";
import { type CookieJar, demoSignIn } from "../helpers/demo-session";
import { type ReplicatedClusters, startReplicatedClusters } from "../helpers/pg-cluster";
import { appDir, type RunningServer, startServer } from "./server";

let clusters: ReplicatedClusters;
let primary: Database;
let app: RunningServer;
let operator: CookieJar;
const tokens: Record<"reader" | "writer", string> = { reader: "", writer: "" };
let deadViaAction: number;
let deadViaToken: number;

async function insertJob(kind: string, state = "pending"): Promise<number> {
  const [r] = await primary.query<{ id: number }>(
    "insert into jobs (kind, state, attempts, finished_at, last_error) values ($1, $2, $3, case when $2 = 'dead' then now() end, case when $2 = 'dead' then 'boom' end) returning id",
    [kind, state, state === "dead" ? 3 : 0],
  );
  return r.id;
}

async function replicaCaughtUp(): Promise<void> {
  const [{ lsn }] = await primary.query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn");
  for (let i = 0; i < 100; i++) {
    const [r] = (await clusters.replicaAdmin(`select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as ok`)) as { ok: boolean }[];
    if (r.ok) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error("the replica did not catch up within 10 s");
}

const api = (p: string, who: keyof typeof tokens, init: RequestInit = {}) =>
  fetch(app.url + p, { ...init, headers: { authorization: `Bearer ${tokens[who]}`, "content-type": "application/json", ...init.headers } });
const stateVia = async (id: number, who: keyof typeof tokens) => {
  const r = await api(`/api/v1/admin/jobs/${id}`, who);
  return r.status === 404 ? "missing" : ((await r.json()) as { job: { state: string } }).job.state;
};
const page = async (p: string) => (await fetch(app.url + p, { headers: { cookie: operator.header() } })).text();

/** Polls `fn` (the replica status is re-checked in the background about once a second). */
async function eventually(fn: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not within 10 s: ${what}`);
}

beforeAll(async () => {
  clusters = await startReplicatedClusters("jobdeck_replica");
  primary = await openDatabase({ databaseUrl: clusters.primaryUrl, max: 2 });
  await migrate(primary);
  deadViaAction = await insertJob("ryw_action", "dead");
  deadViaToken = await insertJob("ryw_token", "dead");
  tokens.reader = (await createApiToken(primary, { name: "reader", owner: "ops@example.com", scopes: ["jobs:read"], actor: { name: "test" } })).token;
  tokens.writer = (await createApiToken(primary, { name: "writer", owner: "ops@example.com", scopes: ["jobs:read", "jobs:write"], actor: { name: "test" } })).token;
  app = await startServer({ databaseUrl: clusters.primaryUrl, env: { DATABASE_READ_URL: clusters.replicaUrl } });
  operator = await demoSignIn(app.url, "operator");
  await replicaCaughtUp();
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await primary?.close();
  clusters?.stop();
});

describe("with the replica's replay paused", () => {
  let written: number;

  beforeAll(async () => {
    await clusters.replicaAdmin("select pg_wal_replay_pause()");
    await eventually(async () => ((await clusters.replicaAdmin("select pg_get_wal_replay_pause_state() as s")) as { s: string }[])[0].s === "paused", "replay paused");
    written = await insertJob("behind_the_replica");
  });

  it("API reads come from the replica: a job written on the primary since is not there yet", async () => {
    expect(await stateVia(written, "reader")).toBe("missing");
    expect(await primary.query("select state from jobs where id = $1", [written])).toEqual([{ state: "pending" }]);
  });

  it("pages say how old the data is", async () => {
    await eventually(async () => /Data as of \d+ s ago \(read replica behind the primary\)/.test(await page("/jobs")), "the lag banner");
  });

  it("after a server action, that browser's next page view reads from the primary and shows the change", async () => {
    const manifest = JSON.parse(readFileSync(path.join(await appDir(), ".next/server/server-reference-manifest.json"), "utf8")) as {
      node: Record<string, { exportedName: string }>;
    };
    const [actionId] = Object.entries(manifest.node).find(([, v]) => v.exportedName === "retryJobsAction") ?? [];
    expect(actionId).toBeTruthy();
    const r = await fetch(`${app.url}/jobs`, {
      method: "POST",
      headers: { "next-action": actionId!, "content-type": "text/plain;charset=UTF-8", origin: app.url, cookie: operator.header() },
      body: JSON.stringify([{ ids: [deadViaAction], reason: "read-your-writes probe" }]),
    });
    expect(r.status).toBe(200);
    await r.text();
    operator.take(r);
    expect(operator.line("jobdeck_read_after")).toMatch(/^jobdeck_read_after=[0-9A-F]+%2F[0-9A-F]+; Path=\/; .*Max-Age=30; HttpOnly/i);
    // The write went to the primary (the paused replica is read-only and has not seen it).
    expect((await primary.query<{ state: string }>("select state from jobs where id = $1", [deadViaAction]))[0].state).not.toBe("dead");
    const html = await page(`/jobs/${deadViaAction}`);
    expect(html).toContain("read-your-writes probe");
    expect(html).not.toContain('data-testid="replica-lag"');
    // The same browser's API reads too (the cookie rides along); everyone else still reads the replica.
    const viaApi = await fetch(`${app.url}/api/v1/admin/jobs/${deadViaAction}`, { headers: { cookie: operator.header() } });
    expect(((await viaApi.json()) as { job: { state: string } }).job.state).not.toBe("dead");
    expect(await stateVia(deadViaAction, "reader")).toBe("dead");
  });

  it("after a token's API write, that token's next read shows it; another token's does not yet", async () => {
    const r = await api(`/api/v1/admin/jobs/${deadViaToken}/retry`, "writer", { method: "POST", body: JSON.stringify({ reason: "token probe" }) });
    expect(r.status).toBe(200);
    expect(await stateVia(deadViaToken, "writer")).not.toBe("dead");
    expect(await stateVia(deadViaToken, "reader")).toBe("dead");
  });

  it("once replay resumes, everyone sees the writes and the banner goes", async () => {
    await clusters.replicaAdmin("select pg_wal_replay_resume()");
    await replicaCaughtUp();
    expect(await stateVia(written, "reader")).toBe("pending");
    expect(await stateVia(deadViaToken, "reader")).not.toBe("dead");
    await eventually(async () => !(await page("/jobs")).includes('data-testid="replica-lag"'), "the banner to go");
  });
});

it("a stopped replica hands reads to the primary, with a log line and a banner", async () => {
  clusters.stopReplica();
  const later = await insertJob("after_the_replica_stopped");
  expect(await stateVia(later, "reader")).toBe("pending");
  expect(app.output()).toMatch(/read replica postgres 127\.0\.0\.1:\d+\/jobdeck_replica unavailable \(.+\): reads go to the primary until it is back/);
  await eventually(async () => (await page("/jobs")).includes("Read replica unavailable"), "the replica-down banner");
});
