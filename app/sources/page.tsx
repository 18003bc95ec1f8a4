// All sources on one screen: every job system Jobdeck shows (its own queue, pg-boss,
// graphile-worker), reachable or not, with its counts, oldest pending job, failures in the last
// hour and workers where known — each row links into that source's pages.
import type { Metadata } from "next";
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { renderClock } from "@/components/format";
import { Panel } from "@/components/overview/panel";
import { SourcesTable } from "@/components/sources/sources-table";
import { requirePageRole } from "@/lib/auth/page-guard";
import { getSources } from "@/lib/server/sources";
import { readAllSources } from "@/lib/sources/overview";

export const metadata: Metadata = { title: "All sources" };

export default async function SourcesPage() {
  await requirePageRole();
  await connection();
  const registry = await getSources();
  const rows = await readAllSources(registry.all);
  const down = rows.filter((r) => !r.health.ok).length;
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">All sources</h1>
          <p className="text-xs text-muted">
            {rows.length} source{rows.length === 1 ? "" : "s"}
            {down ? ` · ${down} unreachable (the others keep working)` : " · all reachable"}. Counts of history states stop at a cap and show “+”.
          </p>
        </div>
        <AutoRefresh renderedAt={renderClock()} intervalMs={10_000} />
      </div>
      <Panel id="sources" title="Sources" note="Configure more with JOBDECK_SOURCES">
        <SourcesTable rows={rows} />
      </Panel>
    </div>
  );
}
