// GET /api/v1/admin/audit/export: the audit log for scripts and SIEM pipelines, the twin of the
// /audit page's download links. Admins only: a token needs the audit:read and admin scopes.
import "server-only";
import { auditExportResponse } from "../audit/export-stream";
import { safeParseAuditFilter } from "../filters/audit-filter";
import { badRequest } from "./errors";
import { apiRoute } from "./route";
import { auditExportQuery } from "./schemas";

export const auditExportRoute = apiRoute({
  name: "GET /api/v1/admin/audit/export",
  auth: { role: "admin", scope: "audit:read" },
  query: auditExportQuery,
  async handler({ db, query }) {
    const { format, job, ...rest } = query;
    const parsed = safeParseAuditFilter({ ...rest, job });
    if (!parsed.ok) throw badRequest(parsed.error.message, parsed.error.fieldErrors());
    // Page size and cursors are not query parameters here, and the export pages by itself.
    return auditExportResponse(db, parsed.filter, format);
  },
});
