// Streams every audit event matching the criteria, newest first, as CSV (with a header row) or
// NDJSON, in keyset batches (never the whole log in memory). Used by the /audit page's download
// links and by GET /api/v1/admin/audit/export; both check for an admin before calling it.
import "server-only";
import type { Database } from "@/db/client";
import type { AuditCriteria } from "@/lib/filters/audit-filter";
import { iterateAuditEvents } from "@/lib/queries/audit";
import { REDACTED_HEADER } from "@/lib/redact";
import { describeDbError } from "@/lib/server/db";
import { CSV_COLUMNS, csvLine, MAX_EXPORT_EVENTS, ndjsonLine } from "./export-format";

export type AuditExportFormat = "csv" | "ndjson";

export function auditExportResponse(db: Database, criteria: AuditCriteria, format: AuditExportFormat): Response {
  const events = iterateAuditEvents(db, criteria, { batch: 1_000, max: MAX_EXPORT_EVENTS });
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
      // Audit rows are masked for every reader (lib/queries/audit), admins included.
      [REDACTED_HEADER]: "true",
    },
  });
}
