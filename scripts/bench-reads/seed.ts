// Seeds the read benchmark's database with set-based SQL (generate_series): `jobs` jobs over the
// last 7 days — ~96% completed, 2% dead, 1% failed, 0.9% pending, 0.1% running — in 6 kinds and
// 3 queues, realistic error texts with stack lines, payloads with a few keys, one job_attempts
// row per job that ran, and 200 workers: 160 online, 30 crashed (offline, still holding running
// jobs with expired leases), 10 stopped cleanly. Secondary indexes are dropped during the load
// and rebuilt after it (the same definitions, read from pg_indexes), then VACUUM ANALYZE.
// With `backlog` (the incident scenario), the newest `backlog` jobs are a burst of ready pending
// jobs created in the last hour; the others spread over the 7 days before it.
import type pg from "pg";

export const KINDS = ["send-email", "resize-image", "sync-crm", "generate-report", "charge-card", "index-document"];
export const ONLINE_WORKERS = 160;

const ERRORS = [
  "ECONNRESET: socket hang up\n    at TLSSocket.socketOnEnd (node:_http_client:524:23)\n    at TLSSocket.emit (node:events:530:35)\n    at endReadableNT (node:internal/streams/readable:1698:12)",
  "ETIMEDOUT: connect ETIMEDOUT 10.0.3.17:443\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)",
  "SMTP 550 5.1.1 mailbox unavailable: user unknown\n    at SMTPConnection._formatError (smtp-connection/index.js:798:19)\n    at SMTPConnection._actionRCPT (smtp-connection/index.js:1683:28)",
  "HTTP 429 Too Many Requests from api.crm.example.com (retry-after: 30)\n    at CrmClient.request (lib/crm/client.ts:88:13)\n    at async syncContact (lib/jobs/sync-crm.ts:41:5)",
  "ENOMEM: sharp could not allocate 268435456 bytes for a 12000x9000 image\n    at Sharp.toBuffer (node_modules/sharp/lib/output.js:163:17)\n    at async resize (lib/jobs/resize-image.ts:27:18)",
  "card_declined: Your card has insufficient funds. (stripe request req_8f3a1c)\n    at StripeError.generate (node_modules/stripe/cjs/Error.js:10:20)\n    at async charge (lib/jobs/charge-card.ts:52:9)",
  "TypeError: Cannot read properties of undefined (reading 'rows')\n    at buildReport (lib/jobs/generate-report.ts:133:31)\n    at async Worker.run (lib/worker/worker.ts:211:7)",
  "QueryFailedError: deadlock detected (SQLSTATE 40P01)\n    at PostgresQueryRunner.query (src/driver/postgres/PostgresQueryRunner.ts:299:19)\n    at async indexDocument (lib/jobs/index-document.ts:64:3)",
];

async function timed(label: string, fn: () => Promise<unknown>, log: (s: string) => void): Promise<void> {
  const t0 = performance.now();
  await fn();
  log(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

export async function seed(c: pg.Client, jobs: number, log: (s: string) => void, { backlog = 0 }: { backlog?: number } = {}): Promise<void> {
  await c.query("set synchronous_commit = off");
  await c.query("set maintenance_work_mem = '512MB'");
  await c.query("select setseed(0.4242)");
  await timed(
    "workers (200)",
    () =>
      c.query(
        `insert into workers (id, hostname, pid, queues, concurrency, version, started_at, last_heartbeat_at, stopped_at, processed, failed)
         select 'worker-' || lpad(w::text, 3, '0'), 'host-' || lpad((w % 25)::text, 2, '0'), 1000 + w,
           case w % 3 when 0 then array['default'] when 1 then array['mail', 'default'] else array['media'] end,
           8, '0.1.0', now() - interval '3 days',
           case when w <= ${ONLINE_WORKERS} then now() - (w % 5) * interval '1 second' else now() - interval '20 minutes' end,
           case when w > 190 then now() - interval '2 hours' end, w * 4000, w * 40
         from generate_series(1, 200) w`,
      ),
    log,
  );
  const indexes = await c.query<{ indexname: string; indexdef: string }>(
    `select indexname, indexdef from pg_indexes
     where schemaname = 'public' and tablename in ('jobs', 'job_attempts') and indexname not like '%_pkey'`,
  );
  for (const i of indexes.rows) await c.query(`drop index "${i.indexname}"`);
  // r1: state, r2: kind, r3: timings/tenant, r4: error/worker.
  await timed(
    `jobs (${jobs.toLocaleString("en-US")})`,
    () =>
      c.query(
        `insert into jobs (id, queue, kind, payload, state, priority, attempts, max_attempts, run_at, created_at,
                           started_at, finished_at, locked_by, locked_until, heartbeat_at, attempt_id, last_error, result)
         select i, case when k in (1) then 'mail' when k in (2, 6) then 'media' else 'default' end,
           (array['${KINDS.join("','")}'])[k],
           jsonb_build_object('tenant_id', (r3 * 500)::int, 'user_id', i % 100000,
             'source', (array['api', 'cron', 'webhook', 'backfill'])[1 + (i % 4)], 'request_id', 'req_' || to_hex(i * 2654435761)),
           st, case when i % 50 = 0 then 10 else 0 end,
           case st when 'pending' then 0 when 'completed' then case when r4 < 0.03 then 2 else 1 end
                   when 'dead' then 5 when 'failed' then 1 + (r4 * 3)::int else 1 end,
           5,
           case when st = 'pending' and r4 < 0.2 and i <= $9::int - $10::int then now() + r3 * interval '2 hours' else created + interval '1 second' end,
           created,
           case when st = 'pending' then null when st = 'running' then now() - r3 * interval '120 seconds'
                else created + r3 * interval '20 seconds' end,
           case when st in ('completed', 'dead') then created + r3 * interval '20 seconds' + interval '50 milliseconds' + r4 * interval '90 seconds' end,
           case when st = 'running' then w end,
           case when st = 'running' then case when wn > ${ONLINE_WORKERS} then now() - r3 * interval '15 minutes' else now() + interval '1 hour' end end,
           case when st = 'running' then now() - interval '2 seconds' end,
           case when st = 'pending' then null else i end,
           case when st in ('dead', 'failed') or (st = 'completed' and r4 < 0.03)
                then (array[$1, $2, $3, $4, $5, $6, $7, $8])[1 + ((r4 * 1000)::int + k) % 8] end,
           case when st = 'completed' then '{"ok": true}'::jsonb end
         from (
           select i, r1, r3, r4, 1 + (r2 * 6)::int % 6 as k,
             case when i > $9::int - $10::int then now() - $11::interval * (($9::int - i)::float8 / nullif($10::int, 0))
                  else now() - $11::interval - interval '7 days' * (1 - i::float8 / ($9::int - $10::int)) end as created,
             case when i > $9::int - $10::int then 'pending' when r1 < 0.96 then 'completed' when r1 < 0.98 then 'dead' when r1 < 0.99 then 'failed'
                  when r1 < 0.999 then 'pending' else 'running' end as st,
             1 + (i % 200) as wn, 'worker-' || lpad((1 + (i % 200))::text, 3, '0') as w
           from (select i, random() as r1, random() as r2, random() as r3, random() as r4
                 from generate_series(1, $9::int) i offset 0) g
         ) s`,
        [...ERRORS, jobs, backlog, backlog ? "1 hour" : "0"],
      ),
    log,
  );
  await timed(
    "job_attempts (one per job that ran)",
    () =>
      c.query(
        `insert into job_attempts (id, job_id, attempt, worker_id, started_at, finished_at, outcome, error)
         select j.id, j.id, j.attempts,
           coalesce(j.locked_by, 'worker-' || lpad((1 + (hashint8(j.id) & 1023) % 200)::text, 3, '0')),
           j.started_at, case when j.state <> 'running' then coalesce(j.finished_at, j.started_at + interval '3 seconds') end,
           case j.state when 'running' then null else j.state end,
           case when j.state in ('dead', 'failed') then j.last_error end
         from jobs j where j.attempt_id is not null`,
      ),
    log,
  );
  await c.query("select setval('jobs_id_seq', (select max(id) from jobs)), setval('job_attempts_id_seq', (select max(id) from job_attempts))");
  await timed(`rebuild ${indexes.rows.length} indexes`, async () => {
    for (const i of indexes.rows) await c.query(i.indexdef);
  }, log);
  await timed("vacuum analyze", () => c.query("vacuum analyze jobs, job_attempts, workers"), log);
}

/** Keeps the 160 "online" workers online (their heartbeat is older than 30 s after a while). */
export async function heartbeatOnlineWorkers(c: pg.Client | pg.Pool): Promise<void> {
  await c.query(`update workers set last_heartbeat_at = now() where id <= 'worker-${String(ONLINE_WORKERS).padStart(3, "0")}'`);
}
