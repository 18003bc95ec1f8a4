"use client";
// Shown instead of actions the caller's role may not use: a quiet line, never a disabled button.
import { useCaller } from "./caller-context";

export function ReadOnlyNote({ className = "" }: { className?: string }) {
  const caller = useCaller();
  const role = caller?.roles.length ? caller.roles.join(", ") : "none";
  return (
    <p className={`text-xs text-muted ${className}`} data-testid="read-only-note">
      Read-only: your role is {role}
    </p>
  );
}
