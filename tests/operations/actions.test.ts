// The server actions through their one wrapper (lib/actions/safe-action): the caller and role
// check, zod parsing of what forms and URLs send, results as values, and the audit actor.
// Runs the real actions on a real database (getDb() opens DATABASE_URL); outside a Next
// request there is no cache to revalidate, and the caller is named with runAsCaller().
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { authorize, AuthorizationError, type Caller, getCaller, hasRole, runAsCaller } from "../../lib/auth/caller";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
let actions: {
  retryJobsAction: typeof import("../../lib/actions/retry-jobs").retryJobsAction;
  cancelJobsAction: typeof import("../../lib/actions/cancel-jobs").cancelJobsAction;
  setPriorityAction: typeof import("../../lib/actions/set-priority").setPriorityAction;
  runNowAction: typeof import("../../lib/actions/run-now").runNowAction;
  recoverStaleAction: typeof import("../../lib/actions/recover-stale").recoverStaleAction;
  previewBulkAction: typeof import("../../lib/actions/preview-bulk").previewBulkAction;
};
let dead: number[];

const operator: Caller = { name: "ops@example.com", roles: ["operator"], source: "session" };
/** Runs an action as the signed-in operator. */
const asOperator = <T>(fn: () => Promise<T>): Promise<T> => runAsCaller(operator, fn);

beforeAll(async () => {
  t = await createTestDatabase("operations_actions");
  process.env.DATABASE_URL = t.url;
  actions = {
    ...(await import("../../lib/actions/retry-jobs")),
    ...(await import("../../lib/actions/cancel-jobs")),
    ...(await import("../../lib/actions/set-priority")),
    ...(await import("../../lib/actions/run-now")),
    ...(await import("../../lib/actions/recover-stale")),
    ...(await import("../../lib/actions/preview-bulk")),
  };
  dead = (
    await t.db.query<{ id: number }>(
      "insert into jobs (kind, state, attempts, finished_at, last_error) select 'act', 'dead', 5, now(), 'boom' from generate_series(1, 5) returning id",
    )
  ).map((r) => r.id);
});
afterAll(async () => {
  const { closeDb } = await import("../../lib/server/db");
  await closeDb();
  await t?.drop();
});

describe("authorize: the single role check", () => {
  const viewer: Caller = { name: "v@example.com", roles: ["viewer"], source: "session" };
  test("outside a request nobody is signed in; runAsCaller names the caller", async () => {
    expect(await getCaller()).toBeNull();
    expect(await runAsCaller(viewer, () => getCaller())).toEqual(viewer);
    expect(await runAsCaller(null, () => getCaller())).toBeNull();
  });
  test("no caller → 401, a weaker role → 403, a stronger role passes", () => {
    expect(() => authorize(null, "viewer")).toThrow(AuthorizationError);
    expect(() => authorize(viewer, "operator")).toThrow(expect.objectContaining({ status: 403 }));
    expect(hasRole({ ...viewer, roles: ["admin"] }, "operator")).toBe(true);
    expect(hasRole(viewer, "viewer")).toBe(true);
  });
});

test("preview, then retry by filter sent as a query string; the audit names the caller", async () => {
  const preview = await asOperator(() => actions.previewBulkAction({ action: "retry", filter: "?kind=act&state=dead,running" }));
  expect(preview).toMatchObject({ ok: true, preview: { matched: 5, will_change: 5, will_skip: 0 }, allowed: true, threshold: 1000 });
  const r = await asOperator(() => actions.retryJobsAction({ filter: { kind: "act" }, limit: "2", reason: "fixed" }));
  expect(r).toMatchObject({ ok: true, result: { affected: 2, batches: 1 } });
  const [audit] = await t.db.query<{ actor: string; roles: string[]; reason: string }>("select actor, roles, reason from audit_events order by id desc limit 1");
  expect(audit).toEqual({ actor: "ops@example.com", roles: ["operator"], reason: "fixed" });
});

test("a form post: ids as text, priority as a string, the useActionState (prevState, formData) call", async () => {
  const fd = new FormData();
  fd.set("ids", `${dead[0]}, ${dead[1]}`);
  fd.set("reason", "from a form");
  const retried = await asOperator(() => actions.retryJobsAction(undefined, fd));
  expect(retried).toMatchObject({ ok: true, result: { affected: 2 } });
  const prio = new FormData();
  prio.append("ids", String(dead[0]));
  prio.append("priority", "7");
  expect(await asOperator(() => actions.setPriorityAction(prio))).toMatchObject({ ok: true, result: { affected: 1 } });
  expect(await asOperator(() => actions.runNowAction({ ids: [dead[0]] }))).toMatchObject({ ok: true, result: { affected: 1 } });
});

test("bad input comes back as values naming the field; nothing changes", async () => {
  const badFilter = await asOperator(() => actions.cancelJobsAction({ filter: { state: "zombie", createdSince: "soon" } }));
  expect(badFilter).toMatchObject({ ok: false, code: "invalid_input" });
  if (badFilter.ok) return;
  expect(Object.keys(badFilter.fieldErrors ?? {}).sort()).toEqual(["filter.createdSince", "filter.state"]);
  expect(await asOperator(() => actions.retryJobsAction({}))).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { ids: [expect.stringMatching(/select jobs/)] } });
  expect(await asOperator(() => actions.setPriorityAction({ ids: "1", priority: "high" }))).toMatchObject({ ok: false, fieldErrors: { priority: [expect.stringMatching(/whole number/)] } });
  expect(await asOperator(() => actions.retryJobsAction({ ids: "1,x" }))).toMatchObject({ ok: false, code: "invalid_input" });
  const [{ n }] = await t.db.query<{ n: number }>("select count(*)::int as n from jobs where state = 'cancelled'");
  expect(n).toBe(0);
});

test("queue refusals map to clear messages: recover an online worker's jobs", async () => {
  await t.db.query("insert into workers (id, hostname, pid, queues, concurrency, version) values ('w-live', 'h', 1, '{}', 1, 't')");
  const r = await asOperator(() => actions.recoverStaleAction({ workerId: "w-live" }));
  expect(r).toMatchObject({ ok: false, code: "conflict", error: expect.stringMatching(/w-live is online/) });
  expect(await asOperator(() => actions.recoverStaleAction({ all: "true" }))).toMatchObject({ ok: true, result: { recovered: 0 } });
  // Forcing live leases is only for one named (offline) worker.
  expect(await asOperator(() => actions.recoverStaleAction({ all: "true", force: "true" }))).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { force: [expect.stringMatching(/one offline worker/)] } });
  expect(await asOperator(() => actions.recoverStaleAction({ workerId: "w-live", force: true }))).toMatchObject({ ok: false, code: "conflict" });
});

test("the token form: jobs:read-secrets without jobs:read is a form error naming the scopes; with it, the token is made", async () => {
  const { createApiTokenAction } = await import("../../lib/actions/api-tokens");
  const admin: Caller = { name: "root@example.com", roles: ["admin"], source: "session" };
  const form = (...scopes: string[]) => {
    const fd = new FormData();
    fd.set("name", "vault-sync");
    fd.set("owner", "sec@example.com");
    for (const s of scopes) fd.append("scopes", s);
    return fd;
  };
  const alone = await runAsCaller(admin, () => createApiTokenAction(form("jobs:read-secrets")));
  expect(alone).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { scopes: [expect.stringMatching(/give jobs:read too/)] } });
  expect(await t.db.query("select id from api_tokens")).toHaveLength(0);
  const both = await runAsCaller(admin, () => createApiTokenAction(form("jobs:read", "jobs:read-secrets")));
  expect(both).toMatchObject({ ok: true });
  const [row] = await t.db.query<{ scopes: string[] }>("select scopes from api_tokens");
  expect(row.scopes).toEqual(["jobs:read", "jobs:read-secrets"]);
});
