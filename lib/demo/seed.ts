// One-time demo data: a few hundred finished jobs over the last hours (with their attempt
// history), the catalog campaign, and a worker that "crashed" while holding jobs. Each part
// checks whether it already exists, so restarting the demo never duplicates it.
import os from "node:os";
import type { Database } from "../../db/client";
import { claim, createCampaign, enqueueMany, registerWorker } from "../queue";
import { JOBDECK_VERSION } from "../version";
import { DEMO_CAMPAIGN, type DemoJob, randomDemoJob } from "./catalog";
import { seedChartHistory } from "./seed-charts";
import { between, chance, pick } from "./util";

const SEED_MARKER = "demo-seed";
export const CRASHED_WORKER_ID = "render-node-3:7311:9f2c1a";

const SEED_ERRORS: Record<string, string[]> = {
  send_email: ["SMTPError: 421 4.7.0 smtp.mailrelay.example.net: try again later, closing connection"],
  deliver_webhook: [
    "ECONNRESET: socket hang up while calling https://hooks.example.com/legacy-crm/globex",
    "HTTPError: 503 Service Unavailable from https://hooks.example.com/acme/events (retry-after: 5)",
  ],
  index_document: ["ResponseError: cluster_block_exception: index [docs-v3] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark]"],
  resize_image: ["PermanentError: unsupported image format image/heic: s3://jobdeck-demo-uploads/hooli/5be0c2aa.heic"],
  generate_report: ["TimeoutError: render exceeded 30s for report churn_cohorts (2025-05)"],
};

const STACK = "\n    at DemoHandler (lib/demo/handlers.ts)\n    at runJob (lib/worker/worker.ts)";

interface SeedAttempt { job: number; attempt: number; worker: string; started: string; finished: string; outcome: string; error: string | null }

/** Inserts ~`count` finished jobs spread over the last `hours` hours. Skips when already seeded. */
export async function seedHistory(db: Database, count = 420, hours = 6): Promise<number> {
  const [seen] = await db.query(`select 1 from audit_events where action = $1 limit 1`, [SEED_MARKER]);
  if (seen) return 0;
  const host = os.hostname();
  const oldWorkers = ["demo-default-1", "demo-media-1", "demo-mixed-1"].map((w) => `${host}:${w}:prev`);
  const now = Date.now();
  const rows: Record<string, unknown>[] = [];
  const attempts: SeedAttempt[] = [];
  for (let i = 0; i < count; i++) {
    const job: DemoJob = randomDemoJob();
    const created = now - between(3 * 60_000, hours * 3_600_000);
    const roll = Math.random();
    const state = roll < 0.86 ? "completed" : roll < 0.95 ? "dead" : "cancelled";
    const tries = state === "dead" ? job.maxAttempts : state === "cancelled" ? 0 : chance(0.1) ? 2 : 1;
    let t = created + between(50, 4_000);
    const errs = SEED_ERRORS[job.kind];
    for (let a = 1; a <= tries; a++) {
      const took = job.kind === "generate_report" ? between(2_000, 6_000) : between(60, 900);
      const failed = state === "dead" || a < tries;
      attempts.push({
        job: i, attempt: a, worker: pick(oldWorkers),
        started: new Date(t).toISOString(), finished: new Date(t + took).toISOString(),
        outcome: failed ? (a === tries ? "dead" : "failed") : "completed",
        error: failed ? pick(errs) + STACK : null,
      });
      t += took + (a < tries ? 2_000 * 2 ** (a - 1) : 0);
    }
    rows.push({
      __i: i,
      kind: job.kind, queue: job.queue, payload: job.payload, state,
      priority: pick([0, 0, 0, 5, -5, 10]), attempts: tries, max_attempts: job.maxAttempts,
      created_at: new Date(created).toISOString(),
      started_at: tries ? attempts[attempts.length - 1].started : null,
      finished_at: new Date(state === "cancelled" ? created + between(1_000, 60_000) : t).toISOString(),
      last_error: state === "completed" && tries === 1 ? null
        : state === "cancelled" ? "cancelled by operator" : attempts[attempts.length - 1].error ?? attempts[attempts.length - 2]?.error ?? null,
      result: state === "completed" ? { ok: true, seeded: true } : null,
    });
  }
  rows.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  await db.tx(async (q) => {
    const ids = (
      await q.query<{ id: number }>(
        `insert into jobs (kind, queue, payload, state, priority, attempts, max_attempts, run_at, created_at,
           started_at, finished_at, last_error, result, progress)
         select kind, queue, payload, state, priority, attempts, max_attempts, created_at, created_at,
           started_at, finished_at, last_error, result, case when state = 'completed' then 1 end
         from jsonb_to_recordset($1::jsonb) as x(kind text, queue text, payload jsonb, state text, priority int,
           attempts int, max_attempts int, created_at timestamptz, started_at timestamptz, finished_at timestamptz,
           last_error text, result jsonb)
         returning id`,
        [JSON.stringify(rows)],
      )
    ).map((r) => r.id).sort((a, b) => a - b);
    // Attempts were generated per unsorted job index; map them through the sort.
    const byIndex = new Map<number, number>();
    rows.forEach((r, sortedIdx) => byIndex.set(r.__i as number, ids[sortedIdx]));
    await q.query(
      `with a as (
         insert into job_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error)
         select job_id, attempt, worker, started, finished, outcome, error
         from jsonb_to_recordset($1::jsonb) as x(job_id bigint, attempt int, worker text, started timestamptz,
           finished timestamptz, outcome text, error text)
         returning id, job_id)
       update jobs j set attempt_id = m.id from (select job_id, max(id) as id from a group by job_id) m
       where j.id = m.job_id`,
      [JSON.stringify(attempts.map((a) => ({ ...a, job_id: byIndex.get(a.job) })))],
    );
    await seedChartHistory(q);
    await q.query(
      `insert into audit_events (actor, action, affected, outcome, details) values ('demo', $1, $2, 'ok', $3)`,
      [SEED_MARKER, ids.length, JSON.stringify({ note: "history seeded by the demo workload" })],
    );
  });
  return count;
}

/** Creates the catalog campaign unless a campaign of that name exists. Returns its id. */
export async function ensureDemoCampaign(db: Database): Promise<{ campaignId: number; created: boolean }> {
  return db.tx(async (q) => {
    await q.query("select pg_advisory_xact_lock($1)", [7_311_290_442]);
    const [existing] = await q.query<{ id: number }>("select id from campaigns where name = $1 order by id limit 1", [DEMO_CAMPAIGN.name]);
    if (existing) return { campaignId: Number(existing.id), created: false };
    const { campaignId } = await createCampaign(q, {
      name: DEMO_CAMPAIGN.name,
      kind: DEMO_CAMPAIGN.kind,
      queue: DEMO_CAMPAIGN.queue,
      batchSize: DEMO_CAMPAIGN.batchSize,
      totalItems: DEMO_CAMPAIGN.totalItems,
      params: { source: DEMO_CAMPAIGN.source, total_items: DEMO_CAMPAIGN.totalItems },
      createdBy: "demo",
    });
    return { campaignId, created: true };
  });
}

/**
 * A render node that claimed jobs and then died: registered, never heartbeats again, and holds
 * four running jobs — two with a short lease (stale locks within seconds) and two with a long
 * lease (held by an offline worker until an operator recovers them). Only created once.
 */
export async function simulateCrashedWorker(db: Database): Promise<number[]> {
  const [exists] = await db.query("select 1 from workers where id = $1", [CRASHED_WORKER_ID]);
  if (exists) return [];
  await registerWorker(db, {
    id: CRASHED_WORKER_ID, hostname: "render-node-3", pid: 7311, queues: ["media", "reports"], concurrency: 4, version: JOBDECK_VERSION,
  });
  // Its last words: counters from a long life, and a heartbeat that stopped 75 s ago.
  await db.query(
    `update workers set started_at = now() - interval '3 hours 12 minutes', last_heartbeat_at = now() - interval '75 seconds',
       processed = 1842, failed = 37 where id = $1`,
    [CRASHED_WORKER_ID],
  );
  const specs = [randomDemoJob("resize_image"), randomDemoJob("resize_image"), randomDemoJob("generate_report"), randomDemoJob("resize_image")]
    .map((j) => ({ ...j, payload: { ...j.payload, source: String(j.payload.source ?? "").replace(/\.heic$/, ".jpg") }, priority: 100 }));
  await enqueueMany(db, specs);
  const held: number[] = [];
  // Claim exactly these jobs: they have the top priority in the worker's queues.
  for (const [i, leaseSeconds] of [5, 5, 3_600, 3_600].entries()) {
    const [job] = await claim(db, { workerId: CRASHED_WORKER_ID, queues: [specs[i].queue], limit: 1, leaseSeconds });
    if (job) held.push(job.id);
  }
  return held;
}
