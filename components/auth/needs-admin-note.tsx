// The "needs an admin" line of a confirm dialog: the action would change more jobs at once than
// JOBDECK_BULK_CONFIRM_THRESHOLD allows an operator (the server refuses it too, and audits that).
// Used by the /jobs bulk dialog and the campaign action dialogs.
import { formatCount } from "../format";
import { jobsCount } from "../jobs/format-jobs";

export function NeedsAdminNote({ count, threshold, hint, testId }: { count: number; threshold: number; hint: string; testId: string }) {
  return (
    <span role="alert" className="mt-2 block rounded border border-warn bg-warn-bg px-2 py-1 text-warn" data-testid={testId}>
      This would change {jobsCount(count)}. More than {formatCount(threshold)} at once needs an admin — {hint}.
    </span>
  );
}
