// The summary at the end of the read benchmark: issue 13's table, one row per read it names, its
// measured value, its target and ok/MISSED ("—" when it could not run, e.g. no build for HTTP).
import type { HttpLoadResult } from "./http";
import type { IncidentRead } from "./incident";
import { ms, type Stats } from "./measure";
import type { RetentionBench } from "./retention";

export interface TableRow {
  row: string;
  value: string;
  target: string;
  ok: boolean | null;
}

// Issue 13: at least the 1M figure measured before it, p95 ≤ 500 ms.
const HTTP_RPS_TARGET = 173;
const HTTP_P95_TARGET = 500;
const HTTP_ROW = "HTTP: 50 clients on GET /api/v1/admin/jobs, 30 s";
const HTTP_TARGET = `≥ ${HTTP_RPS_TARGET} req/s, p95 ≤ ${HTTP_P95_TARGET} ms, 0 errors`;

/** The order of issue 13's table (a labelled read missing here goes first). */
const ROW_ORDER = [
  "overview 24h",
  "overview 1h",
  "overview 7d",
  "campaign detail, 100,000 children",
  "campaigns list",
  "/jobs error prefix",
  "/jobs error contains",
  "/jobs payload contains",
  "/jobs worker",
  "/jobs created range",
  "bulk preview with no filter",
];

interface Measured {
  /** The timed reads; those with a `table` label are rows of the issue's table. */
  reads: { table: string | null; target: number | null; lib: Stats }[];
  http: HttpLoadResult | null;
  incident: IncidentRead[];
  retention: RetentionBench;
}

export function issueTable({ reads, http, incident, retention }: Measured): TableRow[] {
  const rows: TableRow[] = reads
    .filter((r) => r.table !== null)
    .sort((a, b) => ROW_ORDER.indexOf(a.table!) - ROW_ORDER.indexOf(b.table!))
    .map((r) => ({ row: r.table!, value: `p95 ${ms(r.lib.p95)} ms`, target: `p95 ≤ ${r.target} ms`, ok: r.lib.p95 <= (r.target ?? Infinity) }));
  rows.push(
    http
      ? {
          row: HTTP_ROW,
          value: `${Math.round(http.rps)} req/s, p95 ${ms(http.p95)} ms, ${http.errors} errors`,
          target: HTTP_TARGET,
          ok: http.rps >= HTTP_RPS_TARGET && http.p95 <= HTTP_P95_TARGET && http.errors === 0,
        }
      : { row: HTTP_ROW, value: "skipped (no build)", target: HTTP_TARGET, ok: null },
  );
  for (const r of incident) rows.push({ row: `incident/20k: ${r.name}`, value: `${r.ratio_p50.toFixed(2)}× (p50 ${ms(r.quiet.p50)} → ${ms(r.incident.p50)} ms)`, target: "≤ 2×", ok: r.ok });
  rows.push({
    row: "retention: claim p95 while a day of jobs is deleted",
    value: `p95 ${ms(retention.claim_during.p95)} ms (before ${ms(retention.claim_before.p95)}), ${Math.round(retention.jobs_per_second).toLocaleString("en-US")} jobs/s`,
    target: "p95 ≤ 50 ms",
    ok: retention.ok,
  });
  return rows;
}

export function printIssueTable(rows: TableRow[], log: (s: string) => void): void {
  const cells = rows.map((r) => [r.row, r.value, r.target, r.ok === null ? "—" : r.ok ? "ok" : "MISSED"]);
  const head = ["read", "measured", "target", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const fmt = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  log(fmt(head));
  log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) log(fmt(c));
  const missed = rows.filter((r) => r.ok === false).length;
  log(`${rows.length - missed - rows.filter((r) => r.ok === null).length} ok, ${missed} MISSED`);
}
