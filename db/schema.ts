// The database schema: the single source of truth for Jobdeck's tables.
// SQL migrations in db/migrations are generated from this file by `npm run db:generate`.
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const campaigns = pgTable(
  "campaigns",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    name: text("name").notNull(),
    // Kind of the batch (parent) jobs; children carry their own kind.
    kind: text("kind").notNull(),
    queue: text("queue").notNull().default("default"),
    params: jsonb("params").notNull().default({}),
    batchSize: integer("batch_size").notNull(),
    nextStartPosition: bigint("next_start_position", { mode: "number" }).notNull().default(0),
    // Known size of the ordered source, when the batch handler reports it.
    totalItems: bigint("total_items", { mode: "number" }),
    state: text("state").notNull().default("running"),
    createdBy: text("created_by").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("campaigns_state_check", sql`${t.state} in ('running', 'paused', 'completed', 'cancelled')`),
    check("campaigns_batch_size_check", sql`${t.batchSize} > 0`),
  ],
);

export const jobs = pgTable(
  "jobs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    queue: text("queue").notNull().default("default"),
    kind: text("kind").notNull(),
    payload: jsonb("payload").notNull().default({}),
    state: text("state").notNull().default("pending"),
    priority: integer("priority").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    runAt: ts("run_at").notNull().defaultNow(),
    createdAt: ts("created_at").notNull().defaultNow(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
    lockedBy: text("locked_by"),
    lockedUntil: ts("locked_until"),
    heartbeatAt: ts("heartbeat_at"),
    // The fencing token: id of the job_attempts row of the attempt that holds the lease.
    attemptId: bigint("attempt_id", { mode: "number" }),
    cancelRequestedAt: ts("cancel_requested_at"),
    lastError: text("last_error"),
    result: jsonb("result"),
    progress: real("progress"),
    progressMessage: text("progress_message"),
    campaignId: bigint("campaign_id", { mode: "number" }).references(() => campaigns.id),
    parentId: bigint("parent_id", { mode: "number" }),
    itemKey: text("item_key"),
    position: bigint("position", { mode: "number" }),
  },
  (t) => [
    check(
      "jobs_state_check",
      sql`${t.state} in ('pending', 'running', 'completed', 'failed', 'dead', 'cancelled')`,
    ),
    check("jobs_priority_check", sql`${t.priority} between -100 and 100`),
    check("jobs_max_attempts_check", sql`${t.maxAttempts} >= 1`),
    // Claiming: ready work of one queue, best priority first, then oldest.
    index("jobs_claim_queue_idx")
      .on(t.queue, t.priority.desc(), t.runAt, t.id)
      .where(sql`${t.state} in ('pending', 'failed')`),
    // Claiming across every queue (a worker started without --queues).
    index("jobs_claim_any_idx")
      .on(t.priority.desc(), t.runAt, t.id)
      .where(sql`${t.state} in ('pending', 'failed')`),
    // Active states are small: exact counts and stale-lock sweeps stay cheap.
    index("jobs_running_lease_idx").on(t.lockedUntil).where(sql`${t.state} = 'running'`),
    index("jobs_running_worker_idx").on(t.lockedBy).where(sql`${t.state} = 'running'`),
    // History and lists.
    index("jobs_finished_at_idx").on(t.finishedAt),
    index("jobs_state_id_idx").on(t.state, t.id),
    index("jobs_kind_state_id_idx").on(t.kind, t.state, t.id),
    index("jobs_created_at_idx").on(t.createdAt),
    index("jobs_campaign_idx").on(t.campaignId, t.parentId, t.position).where(sql`${t.campaignId} is not null`),
    index("jobs_campaign_item_idx").on(t.campaignId, t.itemKey).where(sql`${t.campaignId} is not null`),
    // A campaign's item jobs by state and position: children-by-state counts, progress and gaps
    // read this index alone, not 100,000 heap rows per campaign.
    index("jobs_campaign_children_state_idx")
      .on(t.campaignId, t.state, t.position)
      .where(sql`${t.campaignId} is not null and ${t.parentId} is not null`),
    // A campaign's batch jobs newest first (the campaign page's batch list): without it the
    // planner walked the primary key backwards past every item job of a big campaign.
    index("jobs_campaign_batches_idx")
      .on(t.campaignId, t.id)
      .where(sql`${t.campaignId} is not null and ${t.parentId} is null`),
    // A campaign's item jobs in position order with their state: missing positions (no live
    // child) and gaps read it index-only, already in order — no heap fetch per child, no sort.
    index("jobs_campaign_positions_idx")
      .on(t.campaignId, t.position, t.state)
      .where(sql`${t.campaignId} is not null and ${t.parentId} is not null`),
    // Where a campaign's first (non-repair) batch started: one probe, not every batch's payload.
    index("jobs_campaign_first_batch_idx")
      .on(t.campaignId, t.position)
      .where(sql`${t.campaignId} is not null and ${t.parentId} is null and not (${t.payload} ? 'repair')`),
    // A parent's children (job detail, campaign batches).
    index("jobs_parent_idx").on(t.parentId).where(sql`${t.parentId} is not null`),
    // Pending jobs by queue and run_at: the oldest ready job per queue is its first entry, and the
    // scheduled ones (run_at > now()) a short range, so a million-job ready backlog is never counted
    // (ready = pending from job_counts − scheduled).
    index("jobs_pending_run_at_idx").on(t.queue, t.runAt, t.kind).where(sql`${t.state} = 'pending'`),
  ],
);

export const jobAttempts = pgTable(
  "job_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    jobId: bigint("job_id", { mode: "number" })
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    workerId: text("worker_id").notNull(),
    startedAt: ts("started_at").notNull().defaultNow(),
    finishedAt: ts("finished_at"),
    // null while running; completed | failed | dead | cancelled | lost
    outcome: text("outcome"),
    error: text("error"),
  },
  (t) => [index("job_attempts_job_idx").on(t.jobId, t.id)],
);

export const workers = pgTable(
  "workers",
  {
    id: text("id").primaryKey(),
    hostname: text("hostname").notNull(),
    pid: integer("pid").notNull(),
    queues: text("queues").array().notNull(),
    concurrency: integer("concurrency").notNull(),
    version: text("version").notNull(),
    startedAt: ts("started_at").notNull().defaultNow(),
    lastHeartbeatAt: ts("last_heartbeat_at").notNull().defaultNow(),
    stoppedAt: ts("stopped_at"),
    processed: bigint("processed", { mode: "number" }).notNull().default(0),
    failed: bigint("failed", { mode: "number" }).notNull().default(0),
  },
  (t) => [index("workers_heartbeat_idx").on(t.lastHeartbeatAt)],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: ts("at").notNull().defaultNow(),
    actor: text("actor").notNull(),
    roles: text("roles").array().notNull().default(sql`'{}'::text[]`),
    action: text("action").notNull(),
    /** The source acted on (lib/sources): "jobdeck" is the native queue. */
    source: text("source").notNull().default("jobdeck"),
    // Target ids, or null when the action worked on a filter.
    targetIds: bigint("target_ids", { mode: "number" }).array(),
    /** A foreign source's job keys (pg-boss: queue:uuid; graphile-worker: id), or null. */
    targetKeys: text("target_keys").array(),
    filter: jsonb("filter"),
    affected: integer("affected").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    reason: text("reason"),
    outcome: text("outcome").notNull(),
    details: jsonb("details"),
  },
  (t) => [
    index("audit_events_at_idx").on(t.at),
    index("audit_events_actor_idx").on(t.actor, t.at),
    // A job's audit entries (job detail page, /audit?job=): target_ids @> array[id].
    index("audit_events_target_ids_idx").using("gin", t.targetIds),
    index("audit_events_target_keys_idx").using("gin", t.targetKeys),
    // Foreign actions whose outcome is not yet written: the reconciler finds them here.
    index("audit_events_pending_idx").on(t.at).where(sql`outcome = 'pending'`),
  ],
);

// Per-minute history of finished attempts, per queue and kind, written by the queue itself in
// the same statement that completes or fails an attempt (lib/queue/rollups.ts explains why).
// It outlives job retention: the overview's charts and per-kind rates read only this table.
// Rows older than a day are compacted into one row per hour by the maintenance loop.
export const jobRollups = pgTable(
  "job_rollups",
  {
    /** Start of the minute (or, once compacted, of the hour). */
    bucket: ts("bucket").notNull(),
    queue: text("queue").notNull(),
    kind: text("kind").notNull(),
    completed: integer("completed").notNull().default(0),
    /** Attempts that failed, whether a retry was scheduled or the job went dead. */
    failed: integer("failed").notNull().default(0),
    /** Of `failed`, the attempts that dead-lettered the job. */
    dead: integer("dead").notNull().default(0),
    cancelled: integer("cancelled").notNull().default(0),
    /** Runtime (started → finished) of completed attempts. */
    runtimeMsSum: bigint("runtime_ms_sum", { mode: "number" }).notNull().default(0),
    runtimeCount: integer("runtime_count").notNull().default(0),
    /** Completed attempts per log-scale runtime bucket (RUNTIME_BUCKETS in lib/queue/rollups.ts). */
    runtimeHist: integer("runtime_hist").array().notNull().default(sql`'{}'::integer[]`),
  },
  (t) => [primaryKey({ name: "job_rollups_pkey", columns: [t.bucket, t.queue, t.kind] })],
);

// Queue depth by state once a minute per queue, taken by the leader of the workers' maintenance
// loops (lib/worker/maintenance.ts). Depth is a level, not an event, so it has to be sampled.
export const queueDepthSamples = pgTable(
  "queue_depth_samples",
  {
    bucket: ts("bucket").notNull(),
    queue: text("queue").notNull(),
    ready: integer("ready").notNull().default(0),
    scheduled: integer("scheduled").notNull().default(0),
    running: integer("running").notNull().default(0),
    /** State `failed`: waiting for a scheduled retry. */
    retrying: integer("retrying").notNull().default(0),
    sampledAt: ts("sampled_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "queue_depth_samples_pkey", columns: [t.bucket, t.queue] })],
);

// Per-minute depth of each foreign source's queues (lib/sources/sampler.ts), written by one
// leader-elected app process: foreign libraries keep no history Jobdeck could chart, so the
// overview's depth chart of a pg-boss or graphile-worker source reads this table.
export const sourceDepthSamples = pgTable(
  "source_depth_samples",
  {
    source: text("source").notNull(),
    bucket: ts("bucket").notNull(),
    queue: text("queue").notNull(),
    pending: integer("pending").notNull().default(0),
    running: integer("running").notNull().default(0),
    /** Failed with a retry scheduled. */
    failed: integer("failed").notNull().default(0),
    sampledAt: ts("sampled_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "source_depth_samples_pkey", columns: [t.source, t.bucket, t.queue] })],
);

// API tokens for scripts and monitoring (issue 6). The secret is shown once; only its sha256 is
// stored. The token string is `jd_<id>_<secret>`, so a request finds its row by primary key.
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    name: text("name").notNull(),
    owner: text("owner").notNull(),
    /** hex sha256 of the secret part of the token. */
    tokenHash: text("token_hash").notNull(),
    scopes: text("scopes").array().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    expiresAt: ts("expires_at"),
    /** Updated at most once a minute per token. */
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
  },
  (t) => [index("api_tokens_created_at_idx").on(t.createdAt)],
);

// Operator controls per native queue (issue 15): a paused queue is skipped by every claim from
// the moment the pause commits (lib/queue/claim.ts); running jobs finish. A row stays after a
// resume (paused_at null) so the page can say who resumed it and when.
export const queueControls = pgTable("queue_controls", {
  queue: text("queue").primaryKey(),
  pausedAt: ts("paused_at"),
  pausedBy: text("paused_by"),
  pauseReason: text("pause_reason"),
  updatedAt: ts("updated_at").notNull().defaultNow(),
  updatedBy: text("updated_by").notNull(),
});

export type Job = typeof jobs.$inferSelect;
export type JobAttempt = typeof jobAttempts.$inferSelect;
export type Worker = typeof workers.$inferSelect;
export type Campaign = typeof campaigns.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type JobRollup = typeof jobRollups.$inferSelect;
export type QueueDepthSample = typeof queueDepthSamples.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;

// Celery sources (issue 12). Celery keeps task history nowhere a dashboard could read (Flower
// keeps it in memory), so the Celery bridge (lib/celery) subscribes to the broker's event stream
// and mirrors it here: one row per task (merged from its events, idempotently), one per worker,
// the events themselves (a task's timeline; a duplicate event is one row by its key), and the
// gaps when the bridge was not listening. The Celery source (lib/sources/celery) reads these.
export const celeryTasks = pgTable(
  "celery_tasks",
  {
    source: text("source").notNull(),
    taskId: text("task_id").notNull(),
    /** Keyset order of lists: assigned when the task is first seen, never changes. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    name: text("name"),
    /** Celery's state word: PENDING RECEIVED STARTED SUCCESS FAILURE RETRY REVOKED REJECTED. */
    state: text("state").notNull(),
    /** args/kwargs as Celery reprs them in its events (strings, possibly truncated by Celery). */
    args: text("args"),
    kwargs: text("kwargs"),
    /** The real values, when known (result backend's extended fields, or reprs that are JSON): what an exact retry re-sends. */
    argsJson: jsonb("args_json"),
    kwargsJson: jsonb("kwargs_json"),
    result: text("result"),
    exception: text("exception"),
    traceback: text("traceback"),
    worker: text("worker"),
    queue: text("queue"),
    retries: integer("retries").notNull().default(0),
    eta: ts("eta"),
    expires: ts("expires"),
    rootId: text("root_id"),
    parentId: text("parent_id"),
    /** The task this one re-sent (a retry through Jobdeck makes a new task id linked to the old one). */
    retryOf: text("retry_of"),
    receivedAt: ts("received_at"),
    startedAt: ts("started_at"),
    /** When it reached SUCCESS, FAILURE, REVOKED or REJECTED. */
    finishedAt: ts("finished_at"),
    /** Seconds the task ran, as the worker reports it. */
    runtime: real("runtime"),
    /** The signal a terminate sent, when revoked with terminate. */
    signal: text("signal"),
    /** Time (event timestamp) of the event that set the current state: an older event never overrides it. */
    stateAt: ts("state_at"),
    firstSeenAt: ts("first_seen_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "celery_tasks_pkey", columns: [t.source, t.taskId] }),
    index("celery_tasks_source_seq_idx").on(t.source, t.seq),
    index("celery_tasks_source_state_seq_idx").on(t.source, t.state, t.seq),
    index("celery_tasks_source_name_seq_idx").on(t.source, t.name, t.seq),
    index("celery_tasks_source_worker_state_idx").on(t.source, t.worker, t.state),
  ],
);

export const celeryTaskEvents = pgTable(
  "celery_task_events",
  {
    source: text("source").notNull(),
    taskId: text("task_id").notNull(),
    /** task-sent, task-received, task-started, task-succeeded, task-failed, task-retried, task-revoked, task-rejected. */
    type: text("type").notNull(),
    /** The event's own timestamp (seconds since the epoch, as the worker sent it): with the type it identifies the event. */
    timestamp: text("timestamp").notNull(),
    hostname: text("hostname"),
    clock: bigint("clock", { mode: "number" }),
    /** The event's fields as received (minus the ones already in the key). */
    fields: jsonb("fields").notNull().default({}),
    receivedAt: ts("received_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "celery_task_events_pkey", columns: [t.source, t.taskId, t.type, t.timestamp] })],
);

export const celeryWorkers = pgTable(
  "celery_workers",
  {
    source: text("source").notNull(),
    hostname: text("hostname").notNull(),
    /** Heartbeat interval the worker announces (seconds): offline after 2 × freq, as Celery decides. */
    freq: real("freq"),
    lastHeartbeatAt: ts("last_heartbeat_at"),
    /** Set by a worker-offline event (a clean shutdown); cleared by the next online/heartbeat. */
    offlineAt: ts("offline_at"),
    onlineAt: ts("online_at"),
    processed: integer("processed"),
    active: integer("active"),
    loadavg: jsonb("loadavg"),
    swIdent: text("sw_ident"),
    swVer: text("sw_ver"),
    swSys: text("sw_sys"),
    pid: integer("pid"),
    /** From a stats reply (inspect), when asked: prefork/threads/solo… and its size. */
    pool: text("pool"),
    concurrency: integer("concurrency"),
    firstSeenAt: ts("first_seen_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "celery_workers_pkey", columns: [t.source, t.hostname] })],
);

export const celeryEventGaps = pgTable(
  "celery_event_gaps",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    source: text("source").notNull(),
    /** The last moment the bridge knew it was listening. */
    fromAt: ts("from_at").notNull(),
    /** When it listened again; null while the gap lasts. */
    untilAt: ts("until_at"),
    reason: text("reason").notNull(),
  },
  (t) => [index("celery_event_gaps_source_idx").on(t.source, t.fromAt)],
);

export const celeryBridges = pgTable("celery_bridges", {
  source: text("source").primaryKey(),
  /** hostname:pid of the process that holds the bridge (leader). */
  holder: text("holder"),
  connected: boolean("connected").notNull().default(false),
  lastEventAt: ts("last_event_at"),
  eventsTotal: bigint("events_total", { mode: "number" }).notNull().default(0),
  lastError: text("last_error"),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

// Job counts kept with the transitions (lib/queue/counters.ts). Statement-level triggers on jobs
// append netted deltas here; the maintenance loop folds them into job_counts and
// campaign_job_counts. No key and no index: appends never contend on a hot row.
export const jobCountDeltas = pgTable("job_count_deltas", {
  queue: text("queue").notNull(),
  kind: text("kind").notNull(),
  state: text("state").notNull(),
  campaignId: bigint("campaign_id", { mode: "number" }),
  /** parent_id is not null: a campaign's item job (else a batch, for campaign jobs). */
  child: boolean("child").notNull(),
  n: integer("n").notNull(),
});

/** Folded totals by (queue, kind, state); exact together with the unfolded deltas. */
export const jobCounts = pgTable(
  "job_counts",
  {
    queue: text("queue").notNull(),
    kind: text("kind").notNull(),
    state: text("state").notNull(),
    n: bigint("n", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ name: "job_counts_pkey", columns: [t.queue, t.kind, t.state] })],
);

/** Folded totals of a campaign's jobs by (batch or item, state). */
export const campaignJobCounts = pgTable(
  "campaign_job_counts",
  {
    campaignId: bigint("campaign_id", { mode: "number" }).notNull(),
    child: boolean("child").notNull(),
    state: text("state").notNull(),
    n: bigint("n", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ name: "campaign_job_counts_pkey", columns: [t.campaignId, t.child, t.state] })],
);

/** When the counters were last compared with count(*) (one row): the drift check runs once per interval across every worker. */
export const jobCounterChecks = pgTable("job_counter_checks", {
  id: integer("id").primaryKey().default(1),
  checkedAt: ts("checked_at").notNull(),
  /** Counters the last check found wrong (and repaired). */
  drifted: integer("drifted").notNull(),
});
