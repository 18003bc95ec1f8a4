"use client";
// A modal that asks before a change runs: title, a message ("Retry 1,204 jobs? 3 running jobs
// will be skipped."), optional extra content, an optional reason, Confirm / Cancel.
//
// Usage:
//   const [open, setOpen] = useState(false);
//   <ConfirmDialog
//     open={open}
//     title="Retry jobs"
//     message="Retry 1,204 jobs? 3 running jobs will be skipped."
//     confirmLabel="Retry 1,204 jobs"
//     tone="danger"                     // "danger" colours the confirm button red; default "primary"
//     askReason                         // shows an optional "Reason" textarea (goes to the audit log)
//     onConfirm={async (reason) => { await retryJobsAction({ ids, reason }); setOpen(false); }}
//     onCancel={() => setOpen(false)}
//   >
//     {optional extra content, e.g. a breakdown or an input}
//   </ConfirmDialog>
//
// While onConfirm's promise is pending (or while `busy` is true) the confirm button shows
// `busyLabel` ("Working…") with aria-busy, both buttons are disabled and Escape does nothing, so a
// running action cannot be abandoned half-way by accident. The dialog closes only when the parent
// sets open={false} (usually at the end of onConfirm). If onConfirm throws, the dialog stays open
// and the error is shown inside it.
//
// Accessibility: native <dialog> opened with showModal() (the rest of the page is inert, so focus
// stays inside), labelled by the title and described by the message, Escape cancels, focus starts
// on the reason field (or on Cancel) and returns to the element that opened it.
import { type ReactNode, useEffect, useId, useRef, useState } from "react";

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  message: ReactNode;
  children?: ReactNode;
  confirmLabel?: string;
  cancelLabel?: string;
  busyLabel?: string;
  tone?: "primary" | "danger";
  /** Show an optional "Reason" textarea; its value is passed to onConfirm. */
  askReason?: boolean;
  reasonPlaceholder?: string;
  /** Busy from outside (e.g. a useTransition pending flag). */
  busy?: boolean;
  /** Disable the confirm button (e.g. while a preview loads or an input is invalid). */
  confirmDisabled?: boolean;
  onConfirm: (reason: string) => void | Promise<void>;
  onCancel: () => void;
}

export function ConfirmDialog({
  open,
  title,
  message,
  children,
  confirmLabel = "Confirm",
  cancelLabel = "Cancel",
  busyLabel = "Working…",
  tone = "primary",
  askReason = false,
  reasonPlaceholder = "Why? (optional, saved in the audit log)",
  busy: busyProp = false,
  confirmDisabled = false,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(null);
  const [reason, setReason] = useState("");
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const busy = busyProp || running;
  const titleId = useId();
  const messageId = useId();
  const reasonId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      setReason("");
      setError(null);
      dialog.showModal();
      (askReason ? reasonRef.current : cancelRef.current)?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      const back = opener.current;
      if (back instanceof HTMLElement && back.isConnected) back.focus();
    }
  }, [open, askReason]);

  async function confirm() {
    if (busy || confirmDisabled) return;
    setError(null);
    const result = onConfirm(reason.trim());
    if (result && typeof (result as Promise<void>).then === "function") {
      setRunning(true);
      try {
        await result;
      } catch (err) {
        setError(err instanceof Error ? err.message : "The action failed.");
      } finally {
        setRunning(false);
      }
    }
  }

  const confirmClass =
    tone === "danger"
      ? "border-bad bg-bad text-surface hover:opacity-90"
      : "border-accent bg-accent text-accent-fg hover:opacity-90";

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={messageId}
      aria-busy={busy || undefined}
      data-testid="confirm-dialog"
      onCancel={(e) => {
        // Escape: close unless an action is running.
        e.preventDefault();
        if (!busy) onCancel();
      }}
      className="m-auto w-[min(520px,calc(100vw-2rem))] rounded-lg border border-border bg-surface p-0 text-fg shadow-2xl backdrop:bg-black/50"
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
        className="flex flex-col gap-3 p-4"
      >
        <h2 id={titleId} className="text-base font-semibold">{title}</h2>
        <div id={messageId} className="text-sm">{message}</div>
        {children}
        {askReason ? (
          <div className="flex flex-col gap-1">
            <label htmlFor={reasonId} className="text-xs font-medium text-muted">Reason (optional)</label>
            <textarea
              id={reasonId}
              ref={reasonRef}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              disabled={busy}
              rows={2}
              maxLength={500}
              placeholder={reasonPlaceholder}
              className="rounded border border-border bg-bg px-2 py-1 text-sm placeholder:text-muted"
            />
          </div>
        ) : null}
        {error ? (
          <p role="alert" className="rounded border border-bad bg-bad-bg px-2 py-1 text-sm text-bad">{error}</p>
        ) : null}
        <div className="flex justify-end gap-2 pt-1">
          <button
            ref={cancelRef}
            type="button"
            onClick={onCancel}
            disabled={busy}
            className="rounded border border-border bg-surface px-3 py-1.5 text-sm hover:bg-surface-2 disabled:opacity-50"
          >
            {cancelLabel}
          </button>
          <button
            type="submit"
            disabled={busy || confirmDisabled}
            aria-busy={busy || undefined}
            data-testid="confirm-dialog-confirm"
            className={`inline-flex items-center gap-2 rounded border px-3 py-1.5 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-60 ${confirmClass}`}
          >
            {busy ? <Spinner /> : null}
            {busy ? busyLabel : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** A small spinning ring, hidden from screen readers (the label says what is happening). */
export function Spinner({ className = "" }: { className?: string }) {
  return (
    <span
      aria-hidden="true"
      className={`inline-block h-3.5 w-3.5 animate-spin rounded-full border-2 border-current border-t-transparent motion-reduce:animate-none ${className}`}
    />
  );
}
