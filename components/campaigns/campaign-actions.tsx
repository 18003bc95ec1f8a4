"use client";
// The campaign's operator actions: Resume from next_start_position, Retry failed children,
// Repair gaps, Cancel campaign. Each opens a confirm dialog that loads a fresh preview (how many
// jobs or positions it will touch, or why it is refused now), asks an optional reason for the
// audit log, runs the action, toasts the outcome and refreshes the page. A refused action keeps
// its confirm button disabled and says why in the dialog — also when it would change more jobs
// than JOBDECK_BULK_CONFIRM_THRESHOLD and the caller is not an admin ("needs an admin", with the
// count the server judges). Operators and admins only: a viewer sees a read-only note instead
// (the server refuses anyway).
import { useRouter } from "next/navigation";
import { type ReactNode, useState } from "react";
import { cancelCampaignAction } from "@/lib/actions/cancel-campaign";
import { previewCampaignActionsAction } from "@/lib/actions/preview-campaign-actions";
import { repairCampaignGapsAction } from "@/lib/actions/repair-campaign-gaps";
import { resumeCampaignAction } from "@/lib/actions/resume-campaign";
import { retryCampaignChildrenAction } from "@/lib/actions/retry-campaign-children";
import type { CampaignAction } from "@/lib/operations/campaigns";
import type { CampaignActionPreview } from "@/lib/queries/campaigns";
import { formatCount } from "../format";
import { useCan } from "../auth/caller-context";
import { NeedsAdminNote } from "../auth/needs-admin-note";
import { ReadOnlyNote } from "../auth/read-only-note";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { useToast } from "../ui/toast";
import { rangeText } from "./parts";

type Kind = "resume" | "retry" | "repair" | "cancel";
const OPERATION: Record<Kind, CampaignAction> = { resume: "resume", retry: "retryFailed", repair: "repairGaps", cancel: "cancel" };

/** What the preview says about the bulk limit: each action's job count, and whether this caller may run it. */
interface Limits {
  threshold: number;
  jobs: Record<CampaignAction, number>;
  allowed: Record<CampaignAction, boolean>;
}

const btn = "inline-flex items-center gap-1 rounded border px-2.5 py-1 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50";
const btnPrimary = `${btn} border-accent bg-accent text-accent-fg hover:opacity-90`;
const btnPlain = `${btn} border-border bg-surface text-fg hover:bg-surface-2`;
const btnDanger = `${btn} border-bad bg-surface text-bad hover:bg-bad-bg`;

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

export interface CampaignActionsProps {
  campaignId: number;
  state: string;
  /** Shown next to the buttons: why Resume is refused right now (from the page's render). */
  resumeBlockedBy: string | null;
}

export function CampaignActions(props: CampaignActionsProps) {
  const canOperate = useCan("operator");
  return canOperate ? <OperatorCampaignActions {...props} /> : <ReadOnlyNote />;
}

function OperatorCampaignActions({ campaignId, state, resumeBlockedBy }: CampaignActionsProps) {
  const router = useRouter();
  const toast = useToast();
  const [open, setOpen] = useState<Kind | null>(null);
  const [preview, setPreview] = useState<CampaignActionPreview | null>(null);
  const [limits, setLimits] = useState<Limits | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);

  async function openDialog(kind: Kind) {
    setPreview(null);
    setPreviewError(null);
    setOpen(kind);
    const res = await previewCampaignActionsAction({ campaignId });
    if (res.ok) {
      setPreview(res.preview);
      setLimits(res.limits);
    } else setPreviewError(res.error);
  }

  function close() {
    setOpen(null);
  }

  function finish(tone: "success" | "info", title: string, detail?: string) {
    toast.show({ tone, title, detail, durationMs: tone === "info" ? 10_000 : undefined });
    setOpen(null);
    router.refresh();
  }

  function failed(what: string, res: { error: string; code: string }): never {
    toast.error(`Could not ${what}`, res.error);
    if (res.code === "conflict") router.refresh();
    throw new Error(res.error);
  }

  async function run(kind: Kind, reason: string) {
    const input = { campaignId, reason: reason || undefined };
    switch (kind) {
      case "resume": {
        const res = await resumeCampaignAction(input);
        if (!res.ok) return failed(`resume campaign #${campaignId}`, res);
        return finish("success", `Resumed campaign #${campaignId} from position ${formatCount(res.result.start_position)}`, `Batch job #${res.result.batch_job_id} is queued under the same campaign id.`);
      }
      case "retry": {
        const res = await retryCampaignChildrenAction(input);
        if (!res.ok) return failed("retry the failed items", res);
        return res.result.retried > 0
          ? finish("success", `Retried ${plural(res.result.retried, "failed item job")}`, "They are pending again; other item jobs were not touched.")
          : finish("info", "No item job was retried", "They changed state meanwhile.");
      }
      case "repair": {
        const res = await repairCampaignGapsAction(input);
        if (!res.ok) return failed("repair the gaps", res);
        const r = res.result;
        return finish(
          "success",
          `Repairing ${plural(r.positions, "missing position")}`,
          `${plural(r.batch_job_ids.length, "repair batch", "repair batches")} queued for ${r.ranges.slice(0, 5).map(rangeText).join(", ")}${r.ranges.length > 5 ? ", …" : ""}.`,
        );
      }
      case "cancel": {
        const res = await cancelCampaignAction(input);
        if (!res.ok) return failed(`cancel campaign #${campaignId}`, res);
        return finish(
          "success",
          `Cancelled campaign #${campaignId}`,
          `${plural(res.result.cancelled, "job")} cancelled; ${plural(res.result.cancel_requested, "running job")} asked to stop. No further batches.`,
        );
      }
    }
  }

  const p = preview;
  let title = "";
  let confirm = "";
  let refused: string | null = null;
  let body: ReactNode = null;
  let tone: "primary" | "danger" = "primary";
  if (open === "resume") {
    title = `Resume campaign #${campaignId}`;
    confirm = "Resume";
    refused = p?.resume.refused ?? null;
    body = p ? (
      <p data-testid="campaign-preview">
        Enqueues <strong>1 batch job</strong> starting at position <strong className="tabular">{formatCount(p.resume.start_position)}</strong>{" "}
        (next_start_position) for {plural(p.batch_size, "item")}, under the same campaign id. Items already present are skipped, so
        nothing is processed twice.
      </p>
    ) : null;
  } else if (open === "retry") {
    title = "Retry failed item jobs";
    const n = p ? p.retry.failed + p.retry.dead : 0;
    confirm = p ? `Retry ${plural(n, "item job")}` : "Retry";
    refused = p?.retry.refused ?? null;
    body = p ? (
      <p data-testid="campaign-preview">
        <strong className="tabular">{plural(n, "item job")}</strong> go back to pending: {formatCount(p.retry.dead)} dead and{" "}
        {formatCount(p.retry.failed)} waiting for a retry. Only those; batches and every other item job are left alone.
      </p>
    ) : null;
  } else if (open === "repair") {
    title = "Repair gaps";
    confirm = p ? `Repair ${plural(p.repair.missing_positions, "position")}` : "Repair";
    refused = p?.repair.refused ?? null;
    body = p ? (
      <div className="flex flex-col gap-1" data-testid="campaign-preview">
        <p>
          <strong className="tabular">{plural(p.repair.missing_positions, "missing position")}</strong> below next_start_position have no item
          job at all
          {p.repair.missing_positions > 0 ? (
            <>
              {" "}({p.repair.missing_ranges.slice(0, 8).map(rangeText).join(", ")}
              {p.repair.missing_ranges.length > 8 ? ", …" : ""}); {plural(p.repair.batches, "repair batch", "repair batches")} will
              enqueue only those positions
            </>
          ) : null}
          .
        </p>
        {p.repair.in_progress + p.repair.dead > 0 ? (
          <p className="text-muted">
            Not touched: {plural(p.repair.in_progress, "gap position")} still in progress
            {p.repair.dead > 0 ? <>, {plural(p.repair.dead, "gap position")} with a dead item job (use Retry failed children)</> : null}.
          </p>
        ) : null}
      </div>
    ) : null;
  } else if (open === "cancel") {
    title = `Cancel campaign #${campaignId}`;
    confirm = "Cancel campaign";
    tone = "danger";
    refused = p?.cancel.refused ?? null;
    body = p ? (
      <p data-testid="campaign-preview">
        <strong className="tabular">{plural(p.cancel.will_cancel, "pending job")}</strong> (batches and items) will be cancelled and{" "}
        <strong className="tabular">{plural(p.cancel.will_request_cancel, "running job")}</strong> asked to stop. No further batches
        are chained. Completed and dead jobs stay as they are.
      </p>
    ) : null;
  }

  // More jobs than the threshold and not an admin: the server would refuse it.
  const limited = open != null && p != null && limits != null && !limits.allowed[OPERATION[open]] ? { count: limits.jobs[OPERATION[open]], threshold: limits.threshold } : null;
  if (limited) confirm = "Needs an admin";

  const cancelled = state === "cancelled";
  return (
    <div className="flex flex-col gap-1.5">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Campaign actions">
        <button type="button" className={btnPrimary} onClick={() => void openDialog("resume")} disabled={cancelled}>
          ▶ Resume from next_start_position
        </button>
        <button type="button" className={btnPlain} onClick={() => void openDialog("retry")} disabled={cancelled}>↻ Retry failed children</button>
        <button type="button" className={btnPlain} onClick={() => void openDialog("repair")} disabled={cancelled}>⊕ Repair gaps</button>
        <button type="button" className={btnDanger} onClick={() => void openDialog("cancel")} disabled={cancelled}>✕ Cancel campaign</button>
      </div>
      {cancelled ? (
        <p className="text-xs text-muted">This campaign is cancelled: it takes no further actions.</p>
      ) : resumeBlockedBy ? (
        <p className="text-xs text-muted" data-testid="resume-blocked-note">
          <span aria-hidden="true" className="text-warn">▲ </span>Resume is refused right now: {resumeBlockedBy}
        </p>
      ) : null}
      <ConfirmDialog
        open={open != null}
        title={title}
        message={
          previewError ? (
            <p role="alert" className="text-bad">Could not load the preview: {previewError}</p>
          ) : p == null ? (
            <p className="text-muted">Counting what this will touch…</p>
          ) : (
            <div className="flex flex-col gap-2">
              {body}
              {refused ? (
                <p role="alert" data-testid="campaign-refusal" className="rounded border border-warn bg-warn-bg px-2 py-1 text-warn">
                  <strong>Refused now:</strong> {refused}
                </p>
              ) : null}
              {limited ? <NeedsAdminNote count={limited.count} threshold={limited.threshold} hint="ask an admin to run it" testId="campaign-needs-admin" /> : null}
            </div>
          )
        }
        confirmLabel={confirm}
        tone={tone}
        askReason
        confirmDisabled={p == null || refused != null || limited != null}
        onConfirm={(reason) => run(open!, reason)}
        onCancel={close}
      />
    </div>
  );
}
