// GET /audit/export/csv and /audit/export/ndjson: every audit event matching the /audit filter in
// the query string (page size and cursors ignored), newest first, streamed in keyset batches.
// Admins only: authorize() refuses anyone else (401 / 403) before anything is read.
import { connection } from "next/server";
import { AuthorizationError, authorize, getCaller } from "@/lib/auth/caller";
import { type AuditCriteria, auditFilterInputFromSearchParams, safeParseAuditFilter } from "@/lib/filters/audit-filter";
import { auditExportResponse } from "@/lib/audit/export-stream";
import { describeDbError, getDb } from "@/lib/server/db";

function json(status: number, code: string, message: string, extra: object = {}): Response {
  return Response.json({ error: { code, message, ...extra } }, { status, headers: { "cache-control": "no-store" } });
}

export async function GET(request: Request, { params }: { params: Promise<{ format: string }> }): Promise<Response> {
  await connection();
  const { format } = await params;
  if (format !== "csv" && format !== "ndjson") return json(404, "not_found", "export formats are csv and ndjson");
  try {
    authorize(await getCaller(), "admin");
  } catch (err) {
    if (err instanceof AuthorizationError) return json(err.status, err.status === 401 ? "unauthorized" : "forbidden", err.message);
    throw err;
  }
  const input = auditFilterInputFromSearchParams(new URL(request.url).searchParams);
  delete input.limit;
  delete input.beforeId;
  delete input.afterId;
  const parsed = safeParseAuditFilter(input);
  if (!parsed.ok) return json(400, "invalid_filter", parsed.error.message, { fields: parsed.error.fieldErrors() });
  const { limit: _limit, ...criteria } = parsed.filter;
  void _limit;

  let db;
  try {
    db = await getDb();
  } catch (err) {
    return json(503, "database_unavailable", describeDbError(err));
  }
  return auditExportResponse(db, criteria as AuditCriteria, format);
}
