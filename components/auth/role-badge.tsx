// The caller's role with colour AND text, as in the header: viewer (grey), operator (blue), admin (purple).
import type { Role } from "@/lib/auth/roles";

const TONES: Record<Role, string> = {
  viewer: "bg-idle-bg text-idle",
  operator: "bg-info-bg text-info",
  admin: "bg-run-bg text-run",
};

export function RoleBadge({ role, testId }: { role: Role | null; testId?: string }) {
  return (
    <span className={`inline-flex items-center rounded px-1.5 py-px text-[11px] font-semibold ${role ? TONES[role] : "bg-bad-bg text-bad"}`}>
      <span className="sr-only">Role: </span>
      <span data-testid={testId}>{role ?? "no role"}</span>
    </span>
  );
}
