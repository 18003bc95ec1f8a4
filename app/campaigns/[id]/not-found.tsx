// 404 for /campaigns/[id]: the campaign does not exist (or the id is not a campaign id).
import Link from "next/link";

export default function CampaignNotFound() {
  return (
    <div className="rounded-md border border-border bg-surface px-4 py-6" data-testid="campaign-not-found">
      <h1 className="text-lg font-semibold">Campaign not found</h1>
      <p className="mt-1 text-muted">There is no campaign with this id. Campaign ids are positive whole numbers.</p>
      <p className="mt-3 flex gap-4">
        <Link href="/campaigns" className="text-accent underline">All campaigns</Link>
        <Link href="/" className="text-accent underline">Back to the overview</Link>
      </p>
    </div>
  );
}
