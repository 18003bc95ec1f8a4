CREATE TABLE "campaign_job_counts" (
	"campaign_id" bigint NOT NULL,
	"child" boolean NOT NULL,
	"state" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "campaign_job_counts_pkey" PRIMARY KEY("campaign_id","child","state")
);
--> statement-breakpoint
CREATE TABLE "job_count_deltas" (
	"queue" text NOT NULL,
	"kind" text NOT NULL,
	"state" text NOT NULL,
	"campaign_id" bigint,
	"child" boolean NOT NULL,
	"n" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_counter_checks" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"drifted" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_counts" (
	"queue" text NOT NULL,
	"kind" text NOT NULL,
	"state" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "job_counts_pkey" PRIMARY KEY("queue","kind","state")
);
--> statement-breakpoint
CREATE INDEX "jobs_pending_run_at_idx" ON "jobs" USING btree ("queue","run_at","kind") WHERE "jobs"."state" = 'pending';--> statement-breakpoint
-- The delta table churns (append, then folded away every few seconds): vacuum it by row count.
ALTER TABLE "job_count_deltas" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 10000);--> statement-breakpoint
-- Counters kept with the transitions (lib/queue/counters.ts): one statement-level trigger per
-- event appends the statement's netted deltas, so every path that writes jobs is counted, in
-- the same transaction, with one insert per statement and no row that writers contend on.
CREATE FUNCTION "jobs_count_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_count_deltas (queue, kind, state, campaign_id, child, n)
  SELECT queue, kind, state, campaign_id, parent_id IS NOT NULL, count(*) FROM new_jobs GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "jobs_count_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_count_deltas (queue, kind, state, campaign_id, child, n)
  SELECT queue, kind, state, campaign_id, parent_id IS NOT NULL, -count(*) FROM old_jobs GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;--> statement-breakpoint
-- Rows whose counted columns did not change (heartbeats, progress, priority) net to zero: nothing is inserted.
CREATE FUNCTION "jobs_count_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_count_deltas (queue, kind, state, campaign_id, child, n)
  SELECT queue, kind, state, campaign_id, child, sum(n) FROM (
    SELECT queue, kind, state, campaign_id, parent_id IS NOT NULL AS child, 1 AS n FROM new_jobs
    UNION ALL
    SELECT queue, kind, state, campaign_id, parent_id IS NOT NULL, -1 FROM old_jobs) d
  GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "jobs_count_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM job_count_deltas;
  DELETE FROM job_counts;
  DELETE FROM campaign_job_counts;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "jobs_count_inserted" AFTER INSERT ON "jobs" REFERENCING NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION "jobs_count_inserted"();--> statement-breakpoint
CREATE TRIGGER "jobs_count_deleted" AFTER DELETE ON "jobs" REFERENCING OLD TABLE AS old_jobs FOR EACH STATEMENT EXECUTE FUNCTION "jobs_count_deleted"();--> statement-breakpoint
CREATE TRIGGER "jobs_count_updated" AFTER UPDATE ON "jobs" REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION "jobs_count_updated"();--> statement-breakpoint
CREATE TRIGGER "jobs_count_truncated" AFTER TRUNCATE ON "jobs" FOR EACH STATEMENT EXECUTE FUNCTION "jobs_count_truncated"();--> statement-breakpoint
-- Backfill after the triggers: creating them locked jobs against writes until this commits, so nothing is missed or counted twice.
INSERT INTO "job_counts" (queue, kind, state, n) SELECT queue, kind, state, count(*) FROM jobs GROUP BY 1, 2, 3;--> statement-breakpoint
INSERT INTO "campaign_job_counts" (campaign_id, child, state, n)
  SELECT campaign_id, parent_id IS NOT NULL, state, count(*) FROM jobs WHERE campaign_id IS NOT NULL GROUP BY 1, 2, 3;
