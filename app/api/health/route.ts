// GET /api/health (no auth): the database answers, every migration is applied, and whether any
// worker is online. 200 when the database is usable (status "degraded" when no worker is online:
// the web app still serves); 503 naming the failing check when the database is down or behind.
// Used by load balancers and by the e2e web server's readiness check.
import { pendingMigrations } from "@/db/migrate";
import { workerOnlineSql } from "@/lib/queries/workers";
import { databaseLabel, describeDbError, getDb } from "@/lib/server/db";
import { JOBDECK_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

type Check = { ok: boolean; detail?: string };
const headers = { "cache-control": "no-store" };

export async function GET() {
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
    return Response.json(
      {
        ok,
        status: !ok ? "down" : checks.workers.ok ? "ok" : "degraded",
        failing: Object.entries(checks).filter(([, c]) => !c.ok).map(([k]) => k),
        version: JOBDECK_VERSION,
        database,
        database_kind: db.kind,
        pending_migrations: pending,
        workers_online: w.n,
        checks,
      },
      { status: ok ? 200 : 503, headers },
    );
  } catch (err) {
    checks.database = { ok: false, detail: describeDbError(err) };
    return Response.json(
      { ok: false, status: "down", failing: ["database"], version: JOBDECK_VERSION, database, error: describeDbError(err), checks },
      { status: 503, headers },
    );
  }
}
