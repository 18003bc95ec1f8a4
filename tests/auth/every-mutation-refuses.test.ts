// A new action cannot forget its door. Every server action in lib/actions and every mutating
// route handler under app/ is found by walking the files — not listed by hand — and each is
// proven to refuse an anonymous caller (401) and a viewer (403) while the jobs, campaigns, API
// tokens and audit log stay exactly as they were. The same calls by a caller who holds the role
// get past the door, so the refusals cannot come from some other failure.
//   (a) in process: each exported action called through runAsCaller;
//   (a') in process: each campaign action over JOBDECK_BULK_CONFIRM_THRESHOLD is refused for an
//        operator (nothing changes, one `refused` audit row) and passes for an admin;
//   (b) over HTTP against the production build (`next start`): each POST/PUT/PATCH/DELETE route
//       handler, anonymous, with a jobs:read token and with a signed-in viewer's session cookie;
//       and each server action id of the build's server-reference manifest, posted the way the
//       browser posts it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Caller, runAsCaller } from "../../lib/auth/caller";
import { createApiToken } from "../../lib/auth/tokens";
import { CAMPAIGN_ACTIONS, CAMPAIGN_AUDIT_ACTION, type CampaignAction } from "../../lib/operations/campaigns";
import { createCampaign } from "../../lib/queue";
import { appDir, type RunningServer, startServer } from "../api/server";
import { type CookieJar, demoSignIn } from "../helpers/demo-session";
import { campaignWhere } from "../fixtures/campaign-limits";
import { snapshotData } from "../helpers/snapshot";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

const REPO = path.resolve(import.meta.dirname, "../..");
const ACTIONS_DIR = path.join(REPO, "lib/actions");

const UNAUTHORIZED = "NEXT_HTTP_ERROR_FALLBACK;401";
const FORBIDDEN = "NEXT_HTTP_ERROR_FALLBACK;403";

// Mutating route handlers that are public on purpose. Each needs a reason.
const PUBLIC_MUTATING_ROUTES: Record<string, string> = {
  "app/api/auth/[...nextauth]/route.ts": "sign-in itself: next-auth's CSRF-protected sign-in, callback and sign-out endpoints are how a caller becomes someone",
};
// Actions an operator may not use at all (the rest must admit an operator).
const ADMIN_ONLY_ACTIONS = new Set(["createApiTokenAction", "revokeApiTokenAction", "resizeCeleryPoolAction", "shutdownCeleryWorkerAction"]);
const MUTATING_METHODS = ["POST", "PUT", "PATCH", "DELETE"] as const;

const anonymous = null;
const viewer: Caller = { name: "viewer@example.com", roles: ["viewer"], source: "session" };
const noRole: Caller = { name: "stranger@example.com", roles: [], source: "session" };
const operator: Caller = { name: "ops@example.com", roles: ["operator"], source: "session" };
const admin: Caller = { name: "boss@example.com", roles: ["admin"], source: "session" };

let t: TestDatabase;
const ids = { dead: 0, dead2: 0, pending: 0, campaign: 0, token: 0 };
const tokens = { read: "", admin: "" };

/** One input that satisfies (or at least reaches) every action's schema, aimed at real rows. */
const genericInput = () => ({
  ids: [ids.dead],
  id: ids.token,
  campaignId: ids.campaign,
  reason: "every-mutation-refuses",
  priority: 5,
  action: "retry",
  all: true,
  name: "t",
  owner: "o",
  scopes: ["jobs:read"],
});

function asFormData(input: Record<string, unknown>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(input)) for (const x of Array.isArray(v) ? v : [v]) fd.append(k, String(x));
  return fd;
}

/** "use server" as the first statement (after comments and blank lines). */
function startsWithUseServer(source: string): boolean {
  const code = source.replace(/^(\s+|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "");
  return /^["']use server["']\s*(;|\n)/.test(code);
}

interface ActionModule {
  file: string;
  exports: Record<string, unknown>;
}

async function loadActionModules(): Promise<ActionModule[]> {
  const files = readdirSync(ACTIONS_DIR).filter((f) => /\.(ts|tsx|js|mjs)$/.test(f));
  const mentioning = files.filter((f) => /["']use server["']/.test(readFileSync(path.join(ACTIONS_DIR, f), "utf8")));
  const serverFiles = files.filter((f) => startsWithUseServer(readFileSync(path.join(ACTIONS_DIR, f), "utf8")));
  expect(serverFiles.length, "no \"use server\" files found in lib/actions").toBeGreaterThan(0);
  expect(serverFiles, "a file mentions \"use server\" but it is not its first statement").toEqual(mentioning);
  const out: ActionModule[] = [];
  for (const f of serverFiles) out.push({ file: f, exports: (await import(path.join(ACTIONS_DIR, f))) as Record<string, unknown> });
  return out;
}

const actions: { name: string; file: string; fn: (...args: unknown[]) => Promise<unknown> }[] = [];

beforeAll(async () => {
  t = await createTestDatabase("every_mutation");
  process.env.DATABASE_URL = t.url;
  const job = async (state: string) =>
    (
      await t.db.query<{ id: number }>(
        "insert into jobs (kind, state, attempts, finished_at, last_error) values ('guarded', $1, 5, case when $1 = 'dead' then now() end, 'boom') returning id",
        [state],
      )
    )[0].id;
  ids.dead = await job("dead");
  ids.dead2 = await job("dead");
  ids.pending = await job("pending");
  await t.db.query(
    "insert into jobs (kind, state, attempts, locked_by, locked_until, started_at) values ('guarded', 'running', 1, 'w-gone', now() - interval '1 minute', now() - interval '5 minutes')",
  );
  ids.campaign = (await createCampaign(t.db, { name: "guarded", kind: "guarded_batch", queue: "default", params: {}, batchSize: 10, totalItems: 20, createdBy: "test" })).campaignId;
  ids.token = (await createApiToken(t.db, { name: "victim", owner: "sre@example.com", scopes: ["jobs:read", "jobs:write"], actor: { name: "test" } })).row.id;
  tokens.read = (await createApiToken(t.db, { name: "reader", owner: "sre@example.com", scopes: ["jobs:read"], actor: { name: "test" } })).token;
  tokens.admin = (await createApiToken(t.db, { name: "root", owner: "sre@example.com", scopes: ["jobs:read", "jobs:write", "audit:read", "admin"], actor: { name: "test" } })).token;

  for (const m of await loadActionModules()) {
    const names = Object.keys(m.exports);
    expect(names.length, `${m.file} exports nothing`).toBeGreaterThan(0);
    for (const name of names) {
      const fn = m.exports[name];
      expect(typeof fn, `${m.file}: export ${name} of a "use server" file must be an action`).toBe("function");
      actions.push({ name, file: m.file, fn: fn as (...args: unknown[]) => Promise<unknown> });
    }
  }
}, 120_000);

afterAll(async () => {
  const { closeDb } = await import("../../lib/server/db");
  await closeDb();
  await t?.drop();
});

describe("(a) every exported server action, in process", () => {
  test("the actions were found", () => {
    expect(actions.length).toBeGreaterThanOrEqual(13);
    expect(actions.map((a) => a.name)).toEqual(expect.arrayContaining(["retryJobsAction", "cancelJobsAction", "createApiTokenAction", "revokeApiTokenAction", "cancelCampaignAction"]));
  });

  test("anonymous → 401 and a viewer (or a user without a role) → 403, in every calling form; nothing changes", async () => {
    for (const a of actions) {
      const before = await snapshotData(t.db);
      const forms: unknown[][] = [[genericInput()], [undefined, asFormData(genericInput())], [asFormData(genericInput())], []];
      for (const args of forms) {
        await expect(runAsCaller(anonymous, () => a.fn(...args)), `${a.name} as anonymous`).rejects.toMatchObject({ digest: UNAUTHORIZED });
        await expect(runAsCaller(viewer, () => a.fn(...args)), `${a.name} as a viewer`).rejects.toMatchObject({ digest: FORBIDDEN });
        await expect(runAsCaller(noRole, () => a.fn(...args)), `${a.name} without a role`).rejects.toMatchObject({ digest: FORBIDDEN });
      }
      if (ADMIN_ONLY_ACTIONS.has(a.name)) {
        await expect(runAsCaller(operator, () => a.fn(genericInput())), `${a.name} as an operator`).rejects.toMatchObject({ digest: FORBIDDEN });
      }
      expect(await snapshotData(t.db), `${a.name} changed data while refusing`).toEqual(before);
    }
  });

  test("the same call by a caller holding the role passes the door (a value comes back, not an interrupt)", async () => {
    const outcomes: Record<string, unknown> = {};
    for (const a of actions) {
      const caller = ADMIN_ONLY_ACTIONS.has(a.name) ? admin : operator;
      const r = (await runAsCaller(caller, () => a.fn(genericInput()))) as { ok: boolean; code?: string };
      expect(typeof r?.ok, `${a.name} as ${caller.roles[0]}`).toBe("boolean");
      if (!r.ok) expect(["unauthorized", "forbidden"], `${a.name} as ${caller.roles[0]}: ${JSON.stringify(r)}`).not.toContain(r.code);
      outcomes[a.name] = r.ok ? "ok" : r.code;
    }
    // Most of them really did the work on the real rows.
    expect(outcomes).toMatchObject({ retryJobsAction: "ok", setPriorityAction: "ok", previewBulkAction: "ok", previewCampaignActionsAction: "ok", createApiTokenAction: "ok", revokeApiTokenAction: "ok" });
    const [tok] = await t.db.query<{ revoked_at: Date | null }>("select revoked_at from api_tokens where id = $1", [ids.token]);
    expect(tok.revoked_at).not.toBeNull();
  });
});

// ---- (a') the bulk limit on campaign actions ----

/** The server action of each campaign operation (CAMPAIGN_ACTIONS); a new one must be named here. */
const CAMPAIGN_ACTION_EXPORTS: Record<CampaignAction, string> = {
  resume: "resumeCampaignAction",
  retryFailed: "retryCampaignChildrenAction",
  repairGaps: "repairCampaignGapsAction",
  cancel: "cancelCampaignAction",
};

describe("(a') every campaign action under JOBDECK_BULK_CONFIRM_THRESHOLD, in process", () => {
  const THRESHOLD = 2;
  const saved = process.env.JOBDECK_BULK_CONFIRM_THRESHOLD;
  beforeAll(() => void (process.env.JOBDECK_BULK_CONFIRM_THRESHOLD = String(THRESHOLD)));
  afterAll(() => {
    if (saved === undefined) delete process.env.JOBDECK_BULK_CONFIRM_THRESHOLD;
    else process.env.JOBDECK_BULK_CONFIRM_THRESHOLD = saved;
  });
  const action = (op: CampaignAction) => actions.find((a) => a.name === CAMPAIGN_ACTION_EXPORTS[op])!.fn;

  test("each campaign operation has its server action, and every action that changes a campaign is one of them", () => {
    expect(Object.keys(CAMPAIGN_ACTION_EXPORTS).sort()).toEqual([...CAMPAIGN_ACTIONS].sort());
    const changing = actions.filter((a) => /campaign/i.test(a.name) && !a.name.startsWith("preview")).map((a) => a.name);
    expect(changing.sort()).toEqual(Object.values(CAMPAIGN_ACTION_EXPORTS).sort());
  });

  for (const op of CAMPAIGN_ACTIONS.filter((a) => a !== "resume")) {
    test(`${op}: an operator over the threshold is refused with nothing changed and one refused audit row; an admin passes`, async () => {
      const campaignId = await campaignWhere(t.db, op, THRESHOLD + 1);
      const before = await snapshotData(t.db);
      const r = await runAsCaller(operator, () => action(op)({ campaignId, reason: "over the limit" }));
      expect(r).toMatchObject({ ok: false, code: "forbidden", error: `this would change ${THRESHOLD + 1} jobs; more than ${THRESHOLD} at once needs the admin role (an admin can run it)` });
      const after = await snapshotData(t.db);
      expect({ ...after, audit_events: 0 }, `${op} changed data while refusing`).toEqual({ ...before, audit_events: 0 });
      expect(after.audit_events).toBe(before.audit_events + 1);
      const [row] = await t.db.query<Record<string, unknown>>("select actor, action, outcome, affected, reason, filter, details from audit_events order by id desc limit 1");
      expect(row).toMatchObject({
        actor: operator.name,
        action: CAMPAIGN_AUDIT_ACTION[op],
        outcome: "refused",
        affected: 0,
        reason: "over the limit",
        filter: { campaign_id: campaignId },
        details: { campaign_id: campaignId, would_change: THRESHOLD + 1 },
      });
      const ok = await runAsCaller(admin, () => action(op)({ campaignId, reason: "approved" }));
      expect(ok, `${op} as an admin`).toMatchObject({ ok: true });
      expect(await snapshotData(t.db)).not.toEqual(after);
    });
  }

  test("resume writes one batch job, so it is never over a threshold (even 1): an operator resumes", async () => {
    process.env.JOBDECK_BULK_CONFIRM_THRESHOLD = "1";
    try {
      const campaignId = await campaignWhere(t.db, "resume", 1);
      const r = await runAsCaller(operator, () => action("resume")({ campaignId }));
      expect(r).toMatchObject({ ok: true, result: { start_position: 100 } });
    } finally {
      process.env.JOBDECK_BULK_CONFIRM_THRESHOLD = String(THRESHOLD);
    }
  });
});

// ---- (b) over HTTP ----

interface RouteFile {
  /** e.g. app/api/v1/admin/jobs/[id]/retry/route.ts */
  file: string;
  url: string | null;
  methods: Set<string>;
}

function walk(dir: string, found: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) walk(p, found);
    else if (/^route\.(ts|tsx|js|mjs)$/.test(f)) found.push(p);
  }
  return found;
}

/** HTTP methods a route file exports: `export const POST`, `export async function POST`, `export { h as POST }`. */
function exportedMethods(source: string): Set<string> {
  const out = new Set<string>();
  const method = "GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE";
  for (const m of source.matchAll(new RegExp(`export\\s+(?:const|let|var|async\\s+function|function)\\s+(${method})\\b`, "g"))) out.add(m[1]);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name && new RegExp(`^(${method})$`).test(name)) out.add(name);
    }
  }
  return out;
}

/** A route or page path (relative to app/) → a URL aimed at real rows; null when a segment has no mapping. */
function urlFor(segments: string[]): string | null {
  const out: string[] = [];
  for (const [i, s] of segments.entries()) {
    if (/^\(.*\)$/.test(s)) continue; // route group
    if (s === "[id]") {
      const prev = segments[i - 1];
      if (prev === "jobs") out.push(String(ids.dead2));
      else if (prev === "campaigns") out.push(String(ids.campaign));
      // A Celery task id of a source this test does not configure: the door refuses before anything is looked up.
      else if (prev === "tasks") out.push("0b5c6f1e-9a4d-4f7e-8d2a-3c1b5e7f9a01");
      else return null;
    } else if (s === "[source]") out.push("celery-not-configured");
    else if (s === "[hostname]") out.push("celery%40nowhere");
    else if (s === "[format]") out.push("csv");
    else if (s.startsWith("[")) return null;
    else out.push(s);
  }
  return "/" + out.join("/");
}

describe("(b) over HTTP: every mutating route handler and every server action of the build", () => {
  let app: RunningServer;
  let dir: string;
  let routes: RouteFile[] = [];
  let viewerSession: CookieJar;
  let adminSession: CookieJar;

  beforeAll(async () => {
    dir = await appDir();
    routes = walk(path.join(dir, "app")).map((p) => {
      const rel = path.relative(dir, p).split(path.sep);
      return { file: rel.join("/"), url: urlFor(rel.slice(1, -1)), methods: exportedMethods(readFileSync(p, "utf8")) };
    });
    app = await startServer({ databaseUrl: t.url });
    viewerSession = await demoSignIn(app.url, "viewer");
    adminSession = await demoSignIn(app.url, "admin");
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  const send = (url: string, method: string, headers: Record<string, string> = {}) =>
    fetch(app.url + url, {
      method,
      redirect: "manual",
      headers: { "content-type": "application/json", origin: app.url, ...headers },
      body: JSON.stringify({ ids: [ids.dead2], reason: "every-mutation-refuses", priority: 5 }),
    });

  test("route files were found, and the public allowlist is current", () => {
    const mutating = routes.filter((r) => MUTATING_METHODS.some((m) => r.methods.has(m)));
    expect(mutating.map((r) => r.file)).toEqual(expect.arrayContaining(["app/api/v1/admin/jobs/retry/route.ts", "app/api/v1/admin/jobs/[id]/retry/route.ts"]));
    for (const [file, reason] of Object.entries(PUBLIC_MUTATING_ROUTES)) {
      expect(reason.length).toBeGreaterThan(10);
      expect(mutating.map((r) => r.file), `allowlisted ${file} no longer exists or no longer mutates`).toContain(file);
    }
    for (const r of mutating) if (!PUBLIC_MUTATING_ROUTES[r.file]) expect(r.url, `${r.file}: give its dynamic segments a mapping in urlFor()`).not.toBeNull();
  });

  test("each POST/PUT/PATCH/DELETE handler: anonymous 401, a jobs:read token 403, a viewer's session 403; nothing changes", async () => {
    const before = await snapshotData(t.db, { ignoreTokenUse: true });
    let checked = 0;
    for (const r of routes) {
      if (PUBLIC_MUTATING_ROUTES[r.file] || !r.url) continue;
      for (const m of MUTATING_METHODS) {
        const label = `${m} ${r.url} (${r.file})`;
        const anon = await send(r.url, m);
        if (!r.methods.has(m)) {
          // Not exported: Next answers 405 (pages' proxy sends the anonymous to sign in first).
          expect([405, 307], label).toContain(anon.status);
          expect((await send(r.url, m, { cookie: viewerSession.header() })).status, label).toBe(405);
          continue;
        }
        expect(anon.status, `${label} anonymous`).toBe(401);
        expect((await send(r.url, m, { authorization: `Bearer ${tokens.read}` })).status, `${label} with a jobs:read token`).toBe(403);
        const v = await send(r.url, m, { cookie: viewerSession.header() });
        expect(v.status, `${label} as a signed-in viewer`).toBe(403);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(9);
    expect(await snapshotData(t.db, { ignoreTokenUse: true })).toEqual(before);
  });

  test("the same requests by an admin pass the door (not 401/403)", async () => {
    for (const r of routes) {
      if (PUBLIC_MUTATING_ROUTES[r.file] || !r.url) continue;
      for (const m of MUTATING_METHODS) {
        if (!r.methods.has(m)) continue;
        const label = `${m} ${r.url}`;
        expect([401, 403], `${label} with an admin token`).not.toContain((await send(r.url, m, { authorization: `Bearer ${tokens.admin}` })).status);
        expect([401, 403], `${label} as a signed-in admin`).not.toContain((await send(r.url, m, { cookie: adminSession.header() })).status);
      }
    }
  });

  describe("server actions by id, as the browser posts them", () => {
    type Entry = { exportedName?: string; filename?: string; workers: Record<string, unknown> };
    let manifest: [string, Entry][] = [];
    beforeAll(() => {
      const m = JSON.parse(readFileSync(path.join(dir, ".next/server/server-reference-manifest.json"), "utf8")) as { node: Record<string, Entry>; edge: Record<string, Entry> };
      manifest = [...Object.entries(m.node), ...Object.entries(m.edge)];
    });

    /** The page an action is posted from: the first page of the build that uses it. */
    const pageOf = (e: Entry): string => {
      const worker = Object.keys(e.workers).find((w) => urlFor(w.replace(/^app\//, "").split("/").slice(0, -1)) !== null);
      expect(worker, `no page url for ${e.exportedName}`).toBeDefined();
      return urlFor(worker!.replace(/^app\//, "").split("/").slice(0, -1))!;
    };
    const postAction = (id: string, e: Entry, headers: Record<string, string> = {}) =>
      fetch(app.url + pageOf(e), {
        method: "POST",
        redirect: "manual",
        headers: { "next-action": id, "content-type": "text/plain;charset=UTF-8", origin: app.url, ...headers },
        body: "[{}]",
      });

    test("the build's actions are exactly the exported actions of lib/actions", () => {
      expect(manifest.length).toBe(actions.length);
      expect(manifest.map(([, e]) => e.exportedName).sort()).toEqual(actions.map((a) => a.name).sort());
    });

    test("each: anonymous 401, a signed-in viewer 403; nothing changes; a signed-in admin passes the door", async () => {
      const before = await snapshotData(t.db, { ignoreTokenUse: true });
      for (const [id, e] of manifest) {
        const label = `${e.exportedName} (${e.filename})`;
        expect((await postAction(id, e)).status, `${label} anonymous`).toBe(401);
        expect((await postAction(id, e, { cookie: viewerSession.header() })).status, `${label} as a viewer`).toBe(403);
      }
      expect(await snapshotData(t.db, { ignoreTokenUse: true })).toEqual(before);
      for (const [id, e] of manifest) {
        const r = await postAction(id, e, { cookie: adminSession.header() });
        expect(r.status, `${e.exportedName} as an admin`).toBe(200);
        // `[{}]` is not valid input for any action: the answer is a value naming the field.
        expect(await r.text(), `${e.exportedName} as an admin`).toContain("invalid_input");
      }
      expect(await snapshotData(t.db, { ignoreTokenUse: true })).toEqual(before);
    });
  });
});
