// The audit exports' line formats (lib/audit/export-stream.ts): CSV with a header row
// (RFC 4180 quoting, formula-looking text defused for spreadsheets) and NDJSON, one event a line.
import type { AuditEventRow } from "@/lib/queries/audit";

/** A download stops here; narrow the time range for more. */
export const MAX_EXPORT_EVENTS = 100_000;

// source and target_keys came with foreign sources: appended, so existing column positions hold.
export const CSV_COLUMNS = ["id", "at", "actor", "roles", "action", "target_ids", "filter", "affected", "skipped", "reason", "outcome", "details", "source", "target_keys"] as const;

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula gets a leading `'`. */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(e: AuditEventRow): string {
  const cells: (string | number | null)[] = [
    e.id,
    new Date(e.at).toISOString(),
    e.actor,
    e.roles.join(";"),
    e.action,
    e.target_ids == null ? null : e.target_ids.join(" "),
    e.filter == null ? null : JSON.stringify(e.filter),
    e.affected,
    e.skipped,
    e.reason,
    e.outcome,
    e.details == null ? null : JSON.stringify(e.details),
    e.source,
    e.target_keys == null ? null : e.target_keys.join(" "),
  ];
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export function ndjsonLine(e: AuditEventRow): string {
  return `${JSON.stringify({ ...e, at: new Date(e.at).toISOString() })}\n`;
}

