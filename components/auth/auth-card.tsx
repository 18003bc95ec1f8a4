// The centred card the sign-in, sign-out and no-access pages are built from.
import type { ReactNode } from "react";

export function AuthCard({ title, titleId, children, testId }: { title: string; titleId: string; children: ReactNode; testId?: string }) {
  return (
    <div className="flex justify-center px-2 py-10 sm:py-16">
      <section
        aria-labelledby={titleId}
        data-testid={testId}
        className="flex w-full max-w-[440px] flex-col gap-4 rounded-lg border border-border bg-surface px-5 py-5 shadow-sm"
      >
        <h1 id={titleId} className="text-lg font-semibold">{title}</h1>
        {children}
      </section>
    </div>
  );
}

/** A message on an auth card: "status" (information) or "alert" (something went wrong). */
export function AuthMessage({ tone, children, testId }: { tone: "info" | "ok" | "bad"; children: ReactNode; testId?: string }) {
  const cls = tone === "bad" ? "border-bad bg-bad-bg text-bad" : tone === "ok" ? "border-ok bg-ok-bg text-ok" : "border-info bg-info-bg text-info";
  return (
    <p role={tone === "bad" ? "alert" : "status"} data-testid={testId} className={`rounded-md border px-3 py-2 text-sm ${cls}`}>
      {children}
    </p>
  );
}
