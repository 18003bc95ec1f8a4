// GET /api/health: 200 when the database answers and every migration is applied, else 503.
// Used by load balancers and by the e2e web server's readiness check.
import { pendingMigrations } from "@/db/migrate";
import { databaseLabel, describeDbError, getDb } from "@/lib/server/db";
import { JOBDECK_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

export async function GET() {
  const database = await databaseLabel();
  try {
    const db = await getDb();
    await db.query("select 1");
    const pending = await pendingMigrations(db);
    const ok = pending.length === 0;
    return Response.json(
      { ok, version: JOBDECK_VERSION, database, database_kind: db.kind, pending_migrations: pending },
      { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } },
    );
  } catch (err) {
    return Response.json(
      { ok: false, version: JOBDECK_VERSION, database, error: describeDbError(err) },
      { status: 503, headers: { "cache-control": "no-store" } },
    );
  }
}
