CREATE TABLE "job_rollups" (
	"bucket" timestamp with time zone NOT NULL,
	"queue" text NOT NULL,
	"kind" text NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"dead" integer DEFAULT 0 NOT NULL,
	"cancelled" integer DEFAULT 0 NOT NULL,
	"runtime_ms_sum" bigint DEFAULT 0 NOT NULL,
	"runtime_count" integer DEFAULT 0 NOT NULL,
	"runtime_hist" integer[] DEFAULT '{}'::integer[] NOT NULL,
	CONSTRAINT "job_rollups_pkey" PRIMARY KEY("bucket","queue","kind")
);
--> statement-breakpoint
CREATE TABLE "queue_depth_samples" (
	"bucket" timestamp with time zone NOT NULL,
	"queue" text NOT NULL,
	"ready" integer DEFAULT 0 NOT NULL,
	"scheduled" integer DEFAULT 0 NOT NULL,
	"running" integer DEFAULT 0 NOT NULL,
	"retrying" integer DEFAULT 0 NOT NULL,
	"sampled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queue_depth_samples_pkey" PRIMARY KEY("bucket","queue")
);
--> statement-breakpoint
CREATE INDEX "jobs_parent_idx" ON "jobs" USING btree ("parent_id") WHERE "jobs"."parent_id" is not null;