// The summary at the end of the read benchmark: issue 13's table, one row per read it names, its
// measured value, its target and ok/MISSED ("—" when it could not run, e.g. no build for HTTP).
export interface TableRow {
  row: string;
  value: string;
  target: string;
  ok: boolean | null;
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
