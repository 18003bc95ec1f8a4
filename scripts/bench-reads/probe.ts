// A probe worker for the read benchmark: claims (limit 1) and completes jobs in a loop until told
// to stop, timing each claim, so a bulk action or a retention run can be judged by the claim
// latency the workers see meanwhile.
import type { Database } from "../../db/client";
import { claim, complete } from "../../lib/queue";
import { type Stats, stats } from "./measure";

export interface ProbeResult {
  claim: Stats;
  /** Claim + complete. */
  cycle: Stats;
  claimed: number;
}

export async function probeClaims(db: Database, workerId: string, stop: { done: boolean }): Promise<ProbeResult> {
  const claimMs: number[] = [];
  const cycleMs: number[] = [];
  let claimed = 0;
  while (!stop.done) {
    const t0 = performance.now();
    const [job] = await claim(db, { workerId, limit: 1, leaseSeconds: 60 });
    const t1 = performance.now();
    if (job) {
      await complete(db, { jobId: job.id, attemptId: job.attemptId });
      claimed++;
    }
    claimMs.push(t1 - t0);
    cycleMs.push(performance.now() - t0);
  }
  return { claim: stats(claimMs), cycle: stats(cycleMs), claimed };
}

/** The probe's claims for `ms` with nothing else running: the baseline. */
export async function probeFor(db: Database, workerId: string, ms: number): Promise<ProbeResult> {
  const stop = { done: false };
  const p = probeClaims(db, workerId, stop);
  await new Promise((r) => setTimeout(r, ms));
  stop.done = true;
  return p;
}
