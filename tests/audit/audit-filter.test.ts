// The /audit filter: URL strings in, typed filter out, every invalid field named.
import { describe, expect, it } from "vitest";
import { auditFilterInputFromSearchParams, DEFAULT_AUDIT_LIMIT, parseAuditFilter, safeParseAuditFilter } from "../../lib/filters/audit-filter";

describe("audit filter parsing", () => {
  it("parses every field from URL strings", () => {
    const f = parseAuditFilter({ actor: " alice ", action: "jobs.retry", outcome: "OK", since: "10h", until: "2025-06-01T12:00", job: "42", limit: "20", beforeId: "99" });
    expect(f).toEqual({
      actor: "alice",
      action: "jobs.retry",
      outcome: "ok",
      since: { ago: 36_000 },
      until: { at: new Date("2025-06-01T12:00:00Z") },
      jobId: 42,
      limit: 20,
      beforeId: 99,
    });
  });

  it("treats empty fields as absent and defaults the page size", () => {
    expect(parseAuditFilter({ actor: "", action: " ", since: "", job: "" })).toEqual({ limit: DEFAULT_AUDIT_LIMIT });
  });

  it("reads an action prefix ending in *", () => {
    expect(parseAuditFilter({ action: "jobs.*" })).toMatchObject({ action: "jobs.", actionPrefix: true });
  });

  it("names every invalid field at once", () => {
    const r = safeParseAuditFilter({ since: "yesterday", until: "2025-02-30", job: "abc", outcome: "maybe", action: "drop table;", limit: "100000" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const fields = r.error.issues.map((i) => i.field).sort();
    expect(fields).toEqual(["action", "job", "limit", "outcome", "since", "until"]);
    const byField = r.error.fieldErrors();
    expect(byField.since[0]).toMatch(/since must be a duration like 30m, 10h or 2d/);
    expect(byField.until[0]).toMatch(/until must be/);
    expect(byField.job[0]).toBe("job must be a job id (a positive whole number)");
    expect(byField.outcome[0]).toMatch(/outcome must be one of ok, partial, refused, error/);
    expect(byField.limit[0]).toBe("limit must be at most 500");
  });

  it("refuses unknown fields, both cursors, and an empty time range", () => {
    const unknown = safeParseAuditFilter({ who: "x" });
    expect(unknown.ok || unknown.error.issues[0]).toEqual({ field: "who", message: 'unknown filter field "who"' });
    const both = safeParseAuditFilter({ beforeId: "5", afterId: "9" });
    expect(both.ok || both.error.field).toBe("afterId");
    const backwards = safeParseAuditFilter({ since: "1h", until: "2d" });
    expect(backwards.ok || backwards.error.issues[0]).toEqual({ field: "until", message: "until must be later than since" });
  });

  it("takes only its own fields from search params", () => {
    expect(auditFilterInputFromSearchParams(new URLSearchParams("actor=a&actor=b&tab=x&job=7"))).toEqual({ actor: "b", job: "7" });
    expect(auditFilterInputFromSearchParams({ since: ["1h", "2h"], other: "y" })).toEqual({ since: "2h" });
  });
});
