// GET /audit/export/csv and /audit/export/ndjson: the /audit page's download links (its filter in
// the query string; page size and cursors ignored). The same handler as
// GET /api/v1/admin/audit/export — admins only, same parsing and errors — with the format taken
// from the path.
import { auditExportRoute } from "@/lib/api/audit-handlers";
import { errorResponse } from "@/lib/api/errors";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ format: string }> }): Promise<Response> {
  const { format } = await context.params;
  if (format !== "csv" && format !== "ndjson") return errorResponse(404, "not_found", "export formats are csv and ndjson");
  const url = new URL(request.url);
  url.searchParams.set("format", format);
  return auditExportRoute(new Request(url, request), context);
}
