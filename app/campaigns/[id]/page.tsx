// Campaign detail: the aggregate an operator checks before resuming a long bulk run — batches,
// item jobs by state, duplicates, gaps, next_start_position, failed items — and the actions
// (resume, retry failed children, repair gaps, cancel). A non-numeric or unknown id is a 404
// (no loading.tsx here on purpose: it would stream a 200 before notFound() runs).
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { AutoRefresh } from "@/components/auto-refresh";
import { CampaignActions } from "@/components/campaigns/campaign-actions";
import { CampaignDetailView } from "@/components/campaigns/campaign-detail-view";
import { DbUnavailable } from "@/components/db-unavailable";
import { renderClock } from "@/components/format";
import { StateBadge } from "@/components/state-badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { type CampaignAggregate, getCampaignAggregate, parseCampaignId } from "@/lib/queries/campaigns";
import { databaseLabel, describeDbError } from "@/lib/server/db";
import { getReadDb } from "@/lib/server/read-db";
import { requirePageRole } from "@/lib/auth/page-guard";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const id = parseCampaignId((await params).id);
  return { title: id == null ? "Campaign not found" : `Campaign #${id}` };
}

/** Why Resume is refused now, from the aggregate (the dialog re-checks with a fresh preview). */
function resumeBlockedBy(a: CampaignAggregate): string | null {
  const open = [...a.batches.items].reverse().find((b) => b.state === "pending" || b.state === "running" || b.state === "failed");
  if (open) {
    const state = open.state === "failed" ? "retrying" : open.state;
    return `${open.repair ? "repair batch" : "batch"} job #${open.id} is still ${state}; it moves the position itself. Resume after it finishes, or cancel it.`;
  }
  const c = a.campaign;
  if (c.total_items != null && a.next_start_position >= c.total_items) return `no items are left (next_start_position ${a.next_start_position} of ${c.total_items}).`;
  return null;
}

export default async function CampaignPage({ params }: Props) {
  await requirePageRole();
  const id = parseCampaignId((await params).id);
  if (id == null) notFound();
  await connection();
  let a: CampaignAggregate | null = null;
  let failure: string | null = null;
  try {
    a = await getCampaignAggregate(await getReadDb(), id);
  } catch (err) {
    console.error(`[jobdeck] campaign ${id}: ${describeDbError(err)}`);
    failure = describeDbError(err);
  }
  if (failure == null && a == null) notFound();
  const renderedAt = renderClock();

  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-xs text-muted">
        <Link href="/campaigns" className="underline hover:text-fg">Campaigns</Link> <span aria-hidden="true">/</span> #{id}
      </nav>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-lg font-semibold">
            <span className="truncate">{a ? a.campaign.name : `Campaign #${id}`}</span>
            {a ? <StateBadge state={a.campaign.state} /> : null}
          </h1>
          {a ? (
            <p className="text-xs text-muted">
              Campaign #{id} · batches of kind <span className="font-mono">{a.campaign.kind}</span> on queue{" "}
              <span className="font-mono">{a.campaign.queue}</span> · created <RelativeTime date={a.campaign.created_at} now={renderedAt} /> by{" "}
              {a.campaign.created_by}
            </p>
          ) : null}
        </div>
        <AutoRefresh renderedAt={renderedAt} intervalMs={4_000} />
      </div>
      {a ? (
        <>
          <CampaignActions
            campaignId={id}
            state={a.campaign.state}
            resumeBlockedBy={a.campaign.state === "cancelled" || a.campaign.state === "completed" ? null : resumeBlockedBy(a)}
          />
          {a.campaign.state === "running" && resumeBlockedBy(a) == null ? (
            <p role="status" data-testid="campaign-stalled" className="rounded-md border border-warn bg-warn-bg px-3 py-2 text-sm text-warn">
              <strong>Stalled:</strong> no batch is open, so nothing moves this campaign past position {a.next_start_position.toLocaleString("en-US")}
              {(() => {
                const last = a.batches.items.find((b) => !b.repair);
                return last && last.state !== "completed" ? ` (its last batch, job #${last.id}, is ${last.state})` : "";
              })()}
              . Check duplicates and gaps below, then resume from next_start_position.
            </p>
          ) : null}
          <CampaignDetailView a={a} now={renderedAt} />
        </>
      ) : (
        <DbUnavailable database={await databaseLabel()} reason={failure ?? "unknown error"} />
      )}
    </div>
  );
}
