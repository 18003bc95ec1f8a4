-- Indexes for the job list's filters (lib/queries/jobs, lib/queries/job-filter-sql). IF NOT EXISTS so
-- a large installation can build them beforehand with CREATE INDEX CONCURRENTLY under the same names
-- (this migration runs in one transaction, and a plain CREATE INDEX blocks writes while it builds).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
-- errorPrefix (LIKE 'p%') and errorContains (ILIKE '%x%'): trigrams of last_error; partial, since
-- most jobs never fail and their rows then cost the index nothing. A job that carries an error
-- writes about 2.8 times the WAL per transition with it (each new row version indexes its trigrams).
CREATE INDEX IF NOT EXISTS "jobs_last_error_trgm_idx" ON "jobs" USING gin ("last_error" gin_trgm_ops) WHERE "last_error" is not null;--> statement-breakpoint
-- The same filters on a page, newest first: the jobs with an error in id order, so a text most errors
-- share is found among the latest failures, not after every newer job that never failed. Its
-- "id > 0" (true of every job) is a condition only the ordered list adds (lib/queries/job-filter-sql):
-- a count has no order to follow and does better with the trigram index, which the planner, pricing
-- a pattern match over long error texts too low, would not always pick.
CREATE INDEX IF NOT EXISTS "jobs_error_id_idx" ON "jobs" USING btree ("id") WHERE "last_error" is not null and "id" > 0;--> statement-breakpoint
-- worker: that worker's attempts, newest job first, with the attempt id (an index-only walk; the list
-- keeps the jobs whose current attempt it is).
CREATE INDEX IF NOT EXISTS "job_attempts_worker_job_idx" ON "job_attempts" USING btree ("worker_id","job_id","id");
