// GET /audit/export/csv and /audit/export/ndjson: every audit event matching the /audit filter in
// the query string (page size and cursors ignored), newest first, streamed in keyset batches.
// Admins only: authorize() refuses anyone else (401 / 403) before anything is read.
import { connection } from "next/server";
import { AuthorizationError, authorize, getCaller } from "@/lib/auth/caller";
import { type AuditCriteria, auditFilterInputFromSearchParams, safeParseAuditFilter } from "@/lib/filters/audit-filter";
import { iterateAuditEvents } from "@/lib/queries/audit";
import { describeDbError, getDb } from "@/lib/server/db";
import { CSV_COLUMNS, csvLine, MAX_EXPORT_EVENTS, ndjsonLine } from "../format";

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
  const events = iterateAuditEvents(db, criteria as AuditCriteria, { batch: 1_000, max: MAX_EXPORT_EVENTS });
  const encoder = new TextEncoder();
  const line = format === "csv" ? csvLine : ndjsonLine;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (format === "csv") controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(",")}\r\n`));
    },
    async pull(controller) {
      try {
        let chunk = "";
        for (let i = 0; i < 500; i++) {
          const next = await events.next();
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += line(next.value);
        }
        controller.enqueue(encoder.encode(chunk));
      } catch (err) {
        console.error(`[jobdeck] audit export: ${describeDbError(err)}`);
        controller.error(err);
      }
    },
    async cancel() {
      await events.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return new Response(stream, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="jobdeck-audit-${stamp}.${format}"`,
      "cache-control": "no-store",
      "x-jobdeck-export-limit": String(MAX_EXPORT_EVENTS),
    },
  });
}
