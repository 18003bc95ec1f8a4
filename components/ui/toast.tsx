"use client";
// Toasts: short outcome messages after an action ("Retried 1,204 jobs; skipped 3 running").
//
// Usage (any client component under <Providers>, which mounts <ToastProvider>):
//   const toast = useToast();
//   toast.success("Retried 12 jobs");            // green, auto-dismisses after 6 s
//   toast.error("Could not cancel job #4: …");   // red, stays until dismissed (role="alert")
//   toast.info("Recovering 3 stale jobs…");      // neutral, auto-dismisses
//   toast.show({ tone: "success", title: "Retried 12 jobs", detail: "skipped 1 running", durationMs: 10_000 });
// Each call returns the toast's id; toast.dismiss(id) removes it early.
// Toasts are announced to screen readers (polite for success/info, assertive for errors), are
// rendered as text only (never HTML), and each has a keyboard-reachable "Dismiss" button.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";

export type ToastTone = "success" | "error" | "info";

export interface ToastInput {
  tone?: ToastTone;
  title: string;
  /** A second, smaller line. */
  detail?: string;
  /** Auto-dismiss after this many ms; 0 keeps it until dismissed. Default: 6 s, errors 0. */
  durationMs?: number;
}

export interface ToastApi {
  show: (t: ToastInput) => number;
  success: (title: string, detail?: string) => number;
  error: (title: string, detail?: string) => number;
  info: (title: string, detail?: string) => number;
  dismiss: (id: number) => void;
}

interface ToastItem extends Required<Omit<ToastInput, "detail">> {
  id: number;
  detail?: string;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast() must be used inside <ToastProvider> (mounted by components/providers.tsx)");
  return api;
}

const TONE_CLASS: Record<ToastTone, string> = {
  success: "border-ok bg-ok-bg text-ok",
  error: "border-bad bg-bad-bg text-bad",
  info: "border-border bg-surface text-fg",
};
const TONE_ICON: Record<ToastTone, string> = { success: "✓", error: "■", info: "ℹ" };

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setItems((list) => list.filter((t) => t.id !== id)), []);

  const show = useCallback((t: ToastInput) => {
    const id = nextId.current++;
    const tone = t.tone ?? "info";
    const durationMs = t.durationMs ?? (tone === "error" ? 0 : 6_000);
    // Newest last; keep at most 5 on screen.
    setItems((list) => [...list.slice(-4), { id, tone, title: t.title, detail: t.detail, durationMs }]);
    return id;
  }, []);

  const api = useMemo<ToastApi>(
    () => ({
      show,
      dismiss,
      success: (title, detail) => show({ tone: "success", title, detail }),
      error: (title, detail) => show({ tone: "error", title, detail }),
      info: (title, detail) => show({ tone: "info", title, detail }),
    }),
    [show, dismiss],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div
        aria-label="Notifications"
        role="region"
        className="pointer-events-none fixed bottom-4 right-4 z-[60] flex w-[min(420px,calc(100vw-2rem))] flex-col gap-2"
      >
        {items.map((t) => (
          <Toast key={t.id} item={t} onDismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function Toast({ item, onDismiss }: { item: ToastItem; onDismiss: (id: number) => void }) {
  const [hovered, setHovered] = useState(false);
  useEffect(() => {
    if (item.durationMs <= 0 || hovered) return;
    const t = setTimeout(() => onDismiss(item.id), item.durationMs);
    return () => clearTimeout(t);
  }, [item.id, item.durationMs, hovered, onDismiss]);

  return (
    <div
      role={item.tone === "error" ? "alert" : "status"}
      aria-live={item.tone === "error" ? "assertive" : "polite"}
      data-testid="toast"
      data-tone={item.tone}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      className={`pointer-events-auto flex items-start gap-2 rounded-md border px-3 py-2 text-sm shadow-lg ${TONE_CLASS[item.tone]}`}
    >
      <span aria-hidden="true" className="mt-px text-xs">{TONE_ICON[item.tone]}</span>
      <div className="min-w-0 flex-1">
        <p className="font-medium break-words">{item.title}</p>
        {item.detail ? <p className="mt-0.5 text-xs break-words opacity-90">{item.detail}</p> : null}
      </div>
      <button
        type="button"
        onClick={() => onDismiss(item.id)}
        aria-label="Dismiss notification"
        className="-mr-1 rounded px-1 leading-none opacity-80 hover:opacity-100"
      >
        ×
      </button>
    </div>
  );
}
