// GET /api/health (no auth): the database answers, every migration is applied, and whether any
// worker is online. 200 when the database is usable (status "degraded" when no worker is online:
// the web app still serves); 503 naming the failing check when the database is down or behind.
// Used by load balancers and by the e2e web server's readiness check. Anonymous callers get the
// status and which checks fail; the details (database host, port and name, error text, version,
// pending migrations, worker count) go only to a signed-in user or an API token, or to everyone
// with JOBDECK_HEALTH_DETAILS=1.
import { pendingMigrations } from "@/db/migrate";
import { resolveRequestCaller } from "@/lib/api/route";
import { workerOnlineSql } from "@/lib/queries/workers";
import { databaseLabel, describeDbError, getDb } from "@/lib/server/db";
import { JOBDECK_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

type Check = { ok: boolean; detail?: string };
const headers = { "cache-control": "no-store" };
const HIDDEN = "details are shown to signed-in users and API tokens (or to everyone with JOBDECK_HEALTH_DETAILS=1)";

/** Whether this request may see the details: the setting, a signed-in user with a role, or a valid API token. */
async function showDetails(request: Request): Promise<boolean> {
  if (process.env.JOBDECK_HEALTH_DETAILS === "1") return true;
  try {
    const caller = await resolveRequestCaller(request);
    return !!caller && caller.roles.length > 0;
  } catch {
    return false; // a bad token, or a token that cannot be checked while the database is down
  }
}

/** The answer: everything for callers who may see details; status and check names otherwise. */
function answer(status: number, body: Record<string, unknown>, checks: Record<string, Check>, details: boolean): Response {
  if (details) return Response.json({ ...body, checks }, { status, headers });
  const bare = Object.fromEntries(Object.entries(checks).map(([k, c]) => [k, { ok: c.ok }]));
  const { ok, status: state, failing } = body;
  return Response.json({ ok, status: state, failing, checks: bare, details: HIDDEN }, { status, headers });
}

export async function GET(request: Request) {
  const details = showDetails(request);
  const database = await databaseLabel();
  const checks: Record<string, Check> = {};
  try {
    const db = await getDb();
    await db.query("select 1");
    checks.database = { ok: true, detail: db.kind };
    const pending = await pendingMigrations(db);
    checks.migrations = pending.length ? { ok: false, detail: `pending: ${pending.join(", ")}` } : { ok: true };
    const [w] = await db.query<{ n: number }>(`select count(*)::int as n from workers w where ${workerOnlineSql("w")}`);
    checks.workers = { ok: w.n > 0, detail: `${w.n} online` };
    const ok = checks.migrations.ok;
    const body = {
      ok,
      status: !ok ? "down" : checks.workers.ok ? "ok" : "degraded",
      failing: Object.entries(checks).filter(([, c]) => !c.ok).map(([k]) => k),
      version: JOBDECK_VERSION,
      database,
      database_kind: db.kind,
      pending_migrations: pending,
      workers_online: w.n,
    };
    return answer(ok ? 200 : 503, body, checks, await details);
  } catch (err) {
    checks.database = { ok: false, detail: describeDbError(err) };
    const body = { ok: false, status: "down", failing: ["database"], version: JOBDECK_VERSION, database, error: describeDbError(err) };
    return answer(503, body, checks, await details);
  }
}
