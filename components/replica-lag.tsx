// Under the header while reads come from a read replica (DATABASE_READ_URL) that is behind by more
// than a second ("data as of 3 s ago"), or while the replica is down and reads fall back to the
// primary. Nothing without a replica, and nothing while this caller reads from the primary
// after their own write (their data is current then).
import "server-only";
import { readRoute } from "@/lib/server/read-db";

const SHOW_LAG_ABOVE_SECONDS = 1;

export async function ReplicaLagBanner() {
  const route = await readRoute().catch(() => null);
  if (!route) return null;
  let text: string | null = null;
  if (route.via === "primary" && route.why === "replica down") text = `Read replica unavailable (${route.replica?.error ?? "unknown error"}): reading from the primary`;
  else if (route.via === "replica" && route.replica.lagSeconds === null) text = "Read replica: data age unknown";
  else if (route.via === "replica" && route.replica.lagSeconds! > SHOW_LAG_ABOVE_SECONDS) text = `Data as of ${Math.round(route.replica.lagSeconds!)} s ago (read replica behind the primary)`;
  if (!text) return null;
  return (
    <div role="status" className="border-t border-warn bg-warn-bg px-4 py-1 text-center text-xs font-semibold text-warn" data-testid="replica-lag">
      {text}
    </div>
  );
}
