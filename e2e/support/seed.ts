// Seeds jobs for a spec through the queue library, the same path producers and workers use.
import type { Database } from "../../db/client";
import { claim, enqueueMany, fail } from "../../lib/queue";

let seq = 0;
const queueName = (label: string) => `e2e-${label}-${Date.now().toString(36)}-${seq++}`;

export async function seedPending(db: Database, count: number, kind = "send_email"): Promise<number[]> {
  return enqueueMany(db, Array.from({ length: count }, (_, i) => ({ kind, payload: { n: i } })));
}

/** Enqueues jobs in a queue of their own, claims them and fails them permanently. */
export async function seedDead(
  db: Database,
  count: number,
  opts: { kind?: string; error?: string; payload?: unknown } = {},
): Promise<number[]> {
  const queue = queueName("dead");
  await enqueueMany(db, Array.from({ length: count }, () => ({ kind: opts.kind ?? "deliver_webhook", queue, payload: opts.payload ?? {}, maxAttempts: 1 })));
  const claimed = await claim(db, { workerId: "e2e-worker", queues: [queue], limit: count, leaseSeconds: 60 });
  for (const job of claimed) {
    await fail(db, { jobId: job.id, attemptId: job.attemptId, error: opts.error ?? "ECONNRESET: socket hang up", permanent: true });
  }
  return claimed.map((j) => j.id);
}

/** A running job whose lease expires after `leaseSeconds` (its worker never heartbeats). */
export async function seedRunning(db: Database, count: number, leaseSeconds: number): Promise<number[]> {
  const queue = queueName("running");
  await enqueueMany(db, Array.from({ length: count }, () => ({ kind: "resize_image", queue })));
  const claimed = await claim(db, { workerId: "e2e-crashed-worker", queues: [queue], limit: count, leaseSeconds });
  return claimed.map((j) => j.id);
}
