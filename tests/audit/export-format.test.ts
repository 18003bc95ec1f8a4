// The audit export's CSV and NDJSON lines (lib/audit/export-format.ts).
import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, csvCell, csvLine, ndjsonLine } from "../../lib/audit/export-format";
import type { AuditEventRow } from "../../lib/queries/audit";

const event: AuditEventRow = {
  id: 12,
  at: new Date("2026-05-14T09:03:12.345Z"),
  actor: "alice@example.com",
  roles: ["operator", "admin"],
  action: "jobs.retry",
  target_ids: [4, 5],
  source: "jobdeck",
  target_keys: null,
  filter: { state: ["dead"] },
  affected: 2,
  skipped: 1,
  reason: 'fixed, "really"\nsecond line',
  outcome: "partial",
  details: null,
};

describe("audit export formats", () => {
  it("quotes CSV cells that need it and defuses formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("-1+2")).toBe("'-1+2");
    expect(csvCell(null)).toBe("");
    expect(csvCell(-3)).toBe("-3");
  });

  it("writes one CSV record per event in the header's column order", () => {
    expect(CSV_COLUMNS).toHaveLength(14);
    expect(csvLine(event)).toBe(
      '12,2026-05-14T09:03:12.345Z,alice@example.com,operator;admin,jobs.retry,4 5,"{""state"":[""dead""]}",2,1,"fixed, ""really""\nsecond line",partial,,jobdeck,\r\n',
    );
    expect(csvLine({ ...event, target_ids: null, source: "billing", target_keys: ["mail:0d3c", "mail:9a7e"] })).toMatch(/,billing,mail:0d3c mail:9a7e\r\n$/);
  });

  it("writes one JSON object per NDJSON line", () => {
    const line = ndjsonLine(event);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(line)).toMatchObject({ id: 12, at: "2026-05-14T09:03:12.345Z", target_ids: [4, 5], reason: event.reason });
  });
});
