// Stale locks: running jobs whose lease expired or whose worker is offline, with "Recover
// selected" and "Recover all stale". Refreshes live, with a pause toggle.
import type { Metadata } from "next";
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { DbUnavailable } from "@/components/db-unavailable";
import { formatCount, renderClock } from "@/components/format";
import { Panel } from "@/components/overview/panel";
import { StaleTable } from "@/components/stale/stale-table";
import { listStaleLocks, type StaleLockRow } from "@/lib/queries/stale";
import { databaseLabel, describeDbError } from "@/lib/server/db";
import { getReadDb } from "@/lib/server/read-db";
import { requirePageRole } from "@/lib/auth/page-guard";
import { pageSource } from "@/lib/server/page-source";
import { SourceNotices } from "@/components/sources/source-notices";
import { SourceStaleSection } from "@/components/sources/source-pages";
import { UnknownSource } from "@/components/sources/unknown-source";

export const metadata: Metadata = { title: "Stale locks" };

const LIMIT = 1_000;

export default async function StalePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole();
  await connection();
  const ps = await pageSource((await searchParams).source);
  if (!ps.ok) return <UnknownSource message={ps.error.message} />;
  if (ps.source.kind !== "jobdeck") {
    return (
      <div className="flex flex-col gap-4">
        <div className="flex flex-wrap items-end justify-between gap-2">
          <div>
            <h1 className="text-lg font-semibold">Stale locks <span className="text-muted">· {ps.source.name} ({ps.info.library})</span></h1>
            <p className="text-xs text-muted">Running jobs whose lock or expiry passed, as {ps.info.library} records them.</p>
          </div>
          <AutoRefresh renderedAt={renderClock()} />
        </div>
        <SourceNotices info={ps.info} />
        <SourceStaleSection source={ps.source} info={ps.info} />
      </div>
    );
  }
  let rows: StaleLockRow[] | null = null;
  let failure: string | null = null;
  try {
    rows = await listStaleLocks(await getReadDb(), { limit: LIMIT });
  } catch (err) {
    console.error(`[jobdeck] stale: ${describeDbError(err)}`);
    failure = describeDbError(err);
  }
  const renderedAt = renderClock();

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">Stale locks</h1>
          <p className="text-xs text-muted">
            Running jobs whose lease expired, or whose worker stopped heartbeating. Workers also recover expired leases on
            their periodic sweep; recovering here does it now, audited.
          </p>
        </div>
        <AutoRefresh renderedAt={renderedAt} />
      </div>
      {rows == null ? (
        <DbUnavailable database={await databaseLabel()} reason={failure ?? "unknown error"} />
      ) : (
        <Panel
          id="stale"
          title="Stale running jobs"
          note={`${formatCount(rows.filter((r) => r.lease_expired).length)} lease expired · ${formatCount(rows.filter((r) => !r.lease_expired).length)} on offline workers${rows.length >= LIMIT ? ` · first ${formatCount(LIMIT)} shown` : ""}`}
        >
          {rows.length === 0 ? (
            <p className="px-3 py-6 text-sm" data-testid="stale-empty">
              <span aria-hidden="true" className="mr-1 text-ok">●</span>
              No stale locks — every running job&apos;s worker is heartbeating.
            </p>
          ) : (
            <StaleTable rows={rows} now={renderedAt} />
          )}
        </Panel>
      )}
    </div>
  );
}
