// More than JOBDECK_BULK_CONFIRM_THRESHOLD (default 1,000) jobs in one action needs the admin
// role: through the real server actions on a real database, an operator is refused before
// anything changes (audited as refused), an admin passes, and exactly the threshold passes. The
// campaign actions follow the same rule, and their preview's `allowed` is what the real call does.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Caller, runAsCaller } from "../../lib/auth/caller";
import { bulkConfirmThreshold, DEFAULT_BULK_CONFIRM_THRESHOLD, mayChangeJobs } from "../../lib/auth/bulk-limit";
import { CAMPAIGN_ACTIONS, type CampaignAction } from "../../lib/operations/campaigns";
import { campaignWhere } from "../fixtures/campaign-limits";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { snapshotData } from "../helpers/snapshot";

let t: TestDatabase;
let retryJobsAction: typeof import("../../lib/actions/retry-jobs").retryJobsAction;
let previewBulkAction: typeof import("../../lib/actions/preview-bulk").previewBulkAction;
let campaignActions: Record<CampaignAction, (input: { campaignId: number }) => Promise<{ ok: boolean; code?: string }>>;
let previewCampaignActionsAction: typeof import("../../lib/actions/preview-campaign-actions").previewCampaignActionsAction;

const operator: Caller = { name: "ops@example.com", roles: ["operator"], source: "session" };
const admin: Caller = { name: "boss@example.com", roles: ["admin"], source: "session" };

async function deadJobs(kind: string, n: number): Promise<number[]> {
  const rows = await t.db.query<{ id: number }>(
    "insert into jobs (kind, state, attempts, finished_at, last_error) select $1, 'dead', 5, now(), 'boom' from generate_series(1, $2) returning id",
    [kind, n],
  );
  return rows.map((r) => r.id);
}

const stateCounts = async (kind: string) =>
  Object.fromEntries((await t.db.query<{ state: string; n: number }>("select state, count(*)::int as n from jobs where kind = $1 group by state", [kind])).map((r) => [r.state, r.n]));

beforeAll(async () => {
  t = await createTestDatabase("auth_bulk_limit");
  process.env.DATABASE_URL = t.url;
  delete process.env.JOBDECK_BULK_CONFIRM_THRESHOLD;
  ({ retryJobsAction } = await import("../../lib/actions/retry-jobs"));
  ({ previewBulkAction } = await import("../../lib/actions/preview-bulk"));
  ({ previewCampaignActionsAction } = await import("../../lib/actions/preview-campaign-actions"));
  campaignActions = {
    resume: (await import("../../lib/actions/resume-campaign")).resumeCampaignAction,
    retryFailed: (await import("../../lib/actions/retry-campaign-children")).retryCampaignChildrenAction,
    repairGaps: (await import("../../lib/actions/repair-campaign-gaps")).repairCampaignGapsAction,
    cancel: (await import("../../lib/actions/cancel-campaign")).cancelCampaignAction,
  };
  await deadJobs("over", DEFAULT_BULK_CONFIRM_THRESHOLD + 1);
  await deadJobs("exact", DEFAULT_BULK_CONFIRM_THRESHOLD);
});
afterAll(async () => {
  const { closeDb } = await import("../../lib/server/db");
  await closeDb();
  await t?.drop();
});

describe("bulkConfirmThreshold", () => {
  test("default 1,000; a positive whole number from the environment; anything else is refused by name", () => {
    expect(bulkConfirmThreshold({})).toBe(1000);
    expect(bulkConfirmThreshold({ JOBDECK_BULK_CONFIRM_THRESHOLD: " 3 " })).toBe(3);
    for (const bad of ["0", "-5", "2.5", "lots", "1e3"]) {
      expect(() => bulkConfirmThreshold({ JOBDECK_BULK_CONFIRM_THRESHOLD: bad })).toThrow(/JOBDECK_BULK_CONFIRM_THRESHOLD/);
    }
  });

  test("mayChangeJobs: up to the threshold anyone the action admits; above it admins only", () => {
    expect(mayChangeJobs(operator, 10, 10)).toBe(true);
    expect(mayChangeJobs(operator, 11, 10)).toBe(false);
    expect(mayChangeJobs(admin, 11, 10)).toBe(true);
  });
});

describe("an operator retrying more than the threshold", () => {
  test("the preview says up front that the run would be refused", async () => {
    const p = await runAsCaller(operator, () => previewBulkAction({ action: "retry", filter: { kind: "over" } }));
    expect(p).toMatchObject({ ok: true, allowed: false, threshold: 1000, preview: { will_change: 1001 } });
    const mine = await runAsCaller(admin, () => previewBulkAction({ action: "retry", filter: { kind: "over" } }));
    expect(mine).toMatchObject({ ok: true, allowed: true });
    const exact = await runAsCaller(operator, () => previewBulkAction({ action: "retry", filter: { kind: "exact" } }));
    expect(exact).toMatchObject({ ok: true, allowed: true, preview: { will_change: 1000 } });
  });

  test("by filter: refused with a clear message, no job changed, one audit row with outcome refused", async () => {
    const before = await snapshotData(t.db);
    const r = await runAsCaller(operator, () => retryJobsAction({ filter: { kind: "over" }, reason: "mass retry" }));
    expect(r).toMatchObject({ ok: false, code: "forbidden" });
    if (r.ok) return;
    expect(r.error).toBe("this would change 1,001 jobs; more than 1,000 at once needs the admin role (narrow the filter or set a limit)");
    const after = await snapshotData(t.db);
    expect({ ...after, audit_events: 0 }).toEqual({ ...before, audit_events: 0 });
    expect(after.audit_events).toBe(before.audit_events + 1);
    const [a] = await t.db.query<{ actor: string; roles: string[]; action: string; outcome: string; affected: number; reason: string; details: { would_change: number } }>(
      "select actor, roles, action, outcome, affected, reason, details from audit_events order by id desc limit 1",
    );
    expect(a).toMatchObject({ actor: "ops@example.com", roles: ["operator"], action: "jobs.retry", outcome: "refused", affected: 0, reason: "mass retry", details: { would_change: 1001 } });
    expect(await stateCounts("over")).toEqual({ dead: 1001 });
  });

  test("by explicit ids: refused the same way before anything changes", async () => {
    const ids = (await t.db.query<{ id: number }>("select id from jobs where kind = 'over' order by id")).map((r) => r.id);
    const before = await snapshotData(t.db);
    const r = await runAsCaller(operator, () => retryJobsAction({ ids }));
    expect(r).toMatchObject({ ok: false, code: "forbidden", error: expect.stringMatching(/1,001 jobs.*admin role/) });
    const after = await snapshotData(t.db);
    expect(after.jobs).toBe(before.jobs);
    expect(after.audit_events).toBe(before.audit_events + 1);
    const [a] = await t.db.query<{ outcome: string; target_ids: number[] }>("select outcome, target_ids from audit_events order by id desc limit 1");
    expect(a.outcome).toBe("refused");
    expect(a.target_ids).toHaveLength(1001);
  });

  test("exactly the threshold passes for an operator", async () => {
    const r = await runAsCaller(operator, () => retryJobsAction({ filter: { kind: "exact" } }));
    expect(r).toMatchObject({ ok: true, result: { affected: 1000 } });
    expect(await stateCounts("exact")).toEqual({ pending: 1000 });
  });

  test("a limit of the threshold passes for an operator", async () => {
    const r = await runAsCaller(operator, () => retryJobsAction({ filter: { kind: "over" }, limit: 1000 }));
    expect(r).toMatchObject({ ok: true, result: { affected: 1000 } });
    expect(await stateCounts("over")).toEqual({ pending: 1000, dead: 1 });
    await t.db.query("update jobs set state = 'dead', finished_at = now() where kind = 'over'");
  });

  test("an admin passes, audited as ok under the admin's name (one row per committed batch)", async () => {
    const r = await runAsCaller(admin, () => retryJobsAction({ filter: { kind: "over" }, reason: "approved" }));
    expect(r).toMatchObject({ ok: true, result: { affected: 1001 } });
    expect(await stateCounts("over")).toEqual({ pending: 1001 });
    const rows = await t.db.query<{ outcome: string; affected: number; reason: string }>("select outcome, affected, reason from audit_events where actor = 'boss@example.com' order by id");
    expect(rows.every((a) => a.outcome === "ok" && a.reason === "approved")).toBe(true);
    expect(rows.reduce((n, a) => n + a.affected, 0)).toBe(1001);
  });
});

describe("campaign actions: the preview's `allowed` is what the real call does", () => {
  const THRESHOLD = 3;
  beforeAll(() => void (process.env.JOBDECK_BULK_CONFIRM_THRESHOLD = String(THRESHOLD)));
  afterAll(() => void delete process.env.JOBDECK_BULK_CONFIRM_THRESHOLD);

  test("for each action, at and over the threshold, as an operator and as an admin", async () => {
    const seen: string[] = [];
    for (const op of CAMPAIGN_ACTIONS) {
      for (const n of [THRESHOLD, THRESHOLD + 1]) {
        for (const caller of [operator, admin]) {
          const campaignId = await campaignWhere(t.db, op, n);
          const p = await runAsCaller(caller, () => previewCampaignActionsAction({ campaignId }));
          if (!p.ok) throw new Error(p.error);
          expect(p.limits.threshold).toBe(THRESHOLD);
          expect(p.limits.jobs[op], op).toBe(op === "resume" ? 1 : n);
          const r = await runAsCaller(caller, () => campaignActions[op]({ campaignId }));
          const refusedByLimit = !r.ok && r.code === "forbidden";
          expect(r.ok || refusedByLimit, `${op} ${JSON.stringify(r)}`).toBe(true);
          expect(p.limits.allowed[op], `${op} with ${p.limits.jobs[op]} jobs as ${caller.roles[0]}: preview vs real call`).toBe(!refusedByLimit);
          seen.push(`${op}:${p.limits.jobs[op]}:${caller.roles[0]}:${p.limits.allowed[op]}`);
        }
      }
    }
    // The comparison covered both answers: refused only for an operator over the threshold.
    expect(seen.filter((x) => x.endsWith(":false"))).toEqual(["retryFailed:4:operator:false", "repairGaps:4:operator:false", "cancel:4:operator:false"]);
  });
});
