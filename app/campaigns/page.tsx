// Campaigns: long bulk runs over an ordered source, processed in batches. Newest first, with
// progress, item jobs by state and where each would resume. Refreshes live, with a pause toggle.
import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { CampaignsTable } from "@/components/campaigns/campaigns-table";
import { Section } from "@/components/campaigns/parts";
import { DbUnavailable } from "@/components/db-unavailable";
import { formatCount, renderClock } from "@/components/format";
import { CAMPAIGN_LIST_LIMIT, type CampaignListRow, listCampaigns } from "@/lib/queries/campaigns";
import { databaseLabel, describeDbError } from "@/lib/server/db";
import { getReadDb } from "@/lib/server/read-db";
import { CapabilityNote } from "@/components/sources/capability-note";
import { UnknownSource } from "@/components/sources/unknown-source";
import { pageSource } from "@/lib/server/page-source";
import { requirePageRole } from "@/lib/auth/page-guard";

export const metadata: Metadata = { title: "Campaigns" };

type Props = { searchParams: Promise<{ before?: string; source?: string }> };

export default async function CampaignsPage({ searchParams }: Props) {
  await requirePageRole();
  await connection();
  const ps = await pageSource((await searchParams).source);
  if (!ps.ok) return <UnknownSource message={ps.error.message} />;
  if (!ps.info.capabilities.campaigns.supported) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-lg font-semibold">Campaigns <span className="text-muted">· {ps.source.name} ({ps.info.library})</span></h1>
        <CapabilityNote capability={ps.info.capabilities.campaigns} source={ps.source.name} testId="campaigns-capability" />
      </div>
    );
  }
  const beforeRaw = (await searchParams).before;
  const before = beforeRaw && /^[1-9]\d{0,15}$/.test(beforeRaw) ? Number(beforeRaw) : undefined;
  let rows: CampaignListRow[] | null = null;
  let failure: string | null = null;
  try {
    rows = await listCampaigns(await getReadDb(), { beforeId: before, limit: CAMPAIGN_LIST_LIMIT });
  } catch (err) {
    console.error(`[jobdeck] campaigns: ${describeDbError(err)}`);
    failure = describeDbError(err);
  }
  const renderedAt = renderClock();
  const more = rows != null && rows.length >= CAMPAIGN_LIST_LIMIT;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">Campaigns</h1>
          <p className="text-xs text-muted">
            Bulk runs over an ordered source in batches. Open one to see its batches, duplicates and gaps, and to resume it
            from next_start_position under the same id.
          </p>
        </div>
        <AutoRefresh renderedAt={renderedAt} />
      </div>
      {rows == null ? (
        <DbUnavailable database={await databaseLabel()} reason={failure ?? "unknown error"} />
      ) : (
        <Section
          id="campaigns"
          title={before ? `Campaigns older than #${before}` : "All campaigns"}
          note={`${formatCount(rows.length)} shown${more ? ` · first ${formatCount(CAMPAIGN_LIST_LIMIT)}` : ""}`}
        >
          {rows.length === 0 ? (
            <div className="px-3 py-6 text-sm" data-testid="campaigns-empty">
              <p className="font-medium">{before ? "No older campaigns." : "No campaigns yet."}</p>
              <p className="mt-1 text-muted">
                Start one with{" "}
                <code className="rounded bg-surface-2 px-1 font-mono text-xs">
                  jobdeck campaign create --name NAME --kind KIND --batch-size 500
                </code>
                ; its batch handler enqueues the items (see docs/campaigns.md).
              </p>
            </div>
          ) : (
            <CampaignsTable rows={rows} now={renderedAt} />
          )}
          {more || before ? (
            <nav aria-label="Pages" className="flex gap-4 border-t border-border px-3 py-2 text-sm">
              {before ? <Link href="/campaigns" className="text-accent underline">Newest</Link> : null}
              {more ? (
                <Link href={`/campaigns?before=${rows![rows!.length - 1].id}`} className="text-accent underline">Older →</Link>
              ) : null}
            </nav>
          ) : null}
        </Section>
      )}
    </div>
  );
}
