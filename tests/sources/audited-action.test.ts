// Foreign actions and their audit rows: in the control database the change and its row commit
// together (a failing audit insert undoes the change); in another database the intent is written
// first and replaced by the outcome (ok or error), and intents left behind become `unknown`.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { auditedSourceAction, reconcilePendingAudit } from "../../lib/sources/audited-action";
import { openGuestDatabase } from "../../lib/sources/guest-db";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let control: TestDatabase;
let other: TestDatabase;
const actor = { name: "op@example.com", roles: ["operator"] };
const cfg = (url: string | null) => ({ name: "guest", kind: "pg-boss" as const, url, schema: "guest", readOnly: false });

beforeAll(async () => {
  [control, other] = await Promise.all([createTestDatabase("sources_audit_control"), createTestDatabase("sources_audit_other")]);
  for (const d of [control, other]) await d.db.query("create table guest_jobs (id text primary key, state text not null)");
  await control.db.query("insert into guest_jobs values ('a', 'failed'), ('b', 'failed')");
  await other.db.query("insert into guest_jobs values ('a', 'failed'), ('b', 'failed')");
});
afterAll(async () => Promise.all([control?.drop(), other?.drop()]));

const retry = (keys: string[]) => async (q: { query: (t: string, p?: unknown[]) => Promise<unknown[]> }) => {
  const rows = await q.query("update guest_jobs set state = 'created' where id = any($1) and state = 'failed' returning id", [keys]);
  return { affected: rows.length, skipped: {}, changed: (rows as { id: string }[]).map((r) => r.id) };
};
const auditRows = (db: TestDatabase) => db.db.query<{ outcome: string; source: string; target_keys: string[]; affected: number; details: Record<string, unknown> }>("select * from audit_events order by id");

describe("source in the control database", () => {
  test("the change and its audit row commit together", async () => {
    const guest = await openGuestDatabase(cfg(null), control.db, { DATABASE_URL: control.url });
    expect(guest.sameAsControl).toBe(true);
    const r = await auditedSourceAction({ control: control.db, guest, source: "guest", actor, action: "jobs.retry", reason: "why", targetKeys: ["a"], run: retry(["a"]) });
    expect(r.affected).toBe(1);
    expect((await auditRows(control)).at(-1)).toMatchObject({ outcome: "ok", source: "guest", target_keys: ["a"], affected: 1 });
    await guest.close();
  });

  test("when the audit row cannot be written, the change is rolled back", async () => {
    const guest = await openGuestDatabase(cfg(null), control.db, { DATABASE_URL: control.url });
    await control.db.query("alter table audit_events add constraint no_b check (target_keys is null or not ('b' = any(target_keys)))");
    try {
      await expect(auditedSourceAction({ control: control.db, guest, source: "guest", actor, action: "jobs.retry", reason: null, targetKeys: ["b"], run: retry(["b"]) })).rejects.toThrow(/no_b/);
      expect(await control.db.query("select state from guest_jobs where id = 'b'")).toEqual([{ state: "failed" }]);
    } finally {
      await control.db.query("alter table audit_events drop constraint no_b");
      await guest.close();
    }
  });
});

describe("source in another database", () => {
  test("intent first, then the outcome; a failed change records the error", async () => {
    const guest = await openGuestDatabase(cfg(other.url), control.db, { DATABASE_URL: control.url });
    expect(guest.sameAsControl).toBe(false);
    const before = (await auditRows(control)).length;
    let seenIntent: string | null = null;
    await auditedSourceAction({
      control: control.db, guest, source: "guest", actor, action: "jobs.retry", reason: null, targetKeys: ["a"],
      run: async (q) => {
        seenIntent = (await control.db.query<{ outcome: string }>("select outcome from audit_events order by id desc limit 1"))[0].outcome;
        return retry(["a"])(q);
      },
    });
    expect(seenIntent).toBe("pending");
    expect((await auditRows(control)).at(-1)).toMatchObject({ outcome: "ok", affected: 1, target_keys: ["a"] });
    expect(await other.db.query("select state from guest_jobs where id = 'a'")).toEqual([{ state: "created" }]);
    await expect(
      auditedSourceAction({ control: control.db, guest, source: "guest", actor, action: "jobs.retry", reason: null, targetKeys: ["b"], run: async (q) => { await q.query("select * from no_such_table"); return { affected: 0, skipped: {}, changed: [] }; } }),
    ).rejects.toThrow(/no_such_table/);
    const rows = await auditRows(control);
    expect(rows.length).toBe(before + 2);
    expect(rows.at(-1)).toMatchObject({ outcome: "error", details: expect.objectContaining({ error: expect.stringMatching(/no_such_table/) }) });
    await guest.close();
  });

  test("an intent whose outcome never came is reconciled to unknown", async () => {
    await control.db.query("insert into audit_events (actor, action, outcome, at, source) values ('x', 'jobs.cancel', 'pending', now() - interval '10 minutes', 'guest'), ('y', 'jobs.cancel', 'pending', now(), 'guest')");
    expect(await reconcilePendingAudit(control.db, 300)).toBe(1);
    expect(await control.db.query("select actor, outcome from audit_events where action = 'jobs.cancel' order by actor")).toEqual([
      { actor: "x", outcome: "unknown" },
      { actor: "y", outcome: "pending" },
    ]);
  });
});
