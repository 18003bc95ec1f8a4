CREATE TABLE "celery_bridges" (
	"source" text PRIMARY KEY NOT NULL,
	"holder" text,
	"connected" boolean DEFAULT false NOT NULL,
	"last_event_at" timestamp with time zone,
	"events_total" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "celery_event_gaps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"from_at" timestamp with time zone NOT NULL,
	"until_at" timestamp with time zone,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "celery_task_events" (
	"source" text NOT NULL,
	"task_id" text NOT NULL,
	"type" text NOT NULL,
	"timestamp" text NOT NULL,
	"hostname" text,
	"clock" bigint,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "celery_task_events_pkey" PRIMARY KEY("source","task_id","type","timestamp")
);
--> statement-breakpoint
CREATE TABLE "celery_tasks" (
	"source" text NOT NULL,
	"task_id" text NOT NULL,
	"seq" bigserial NOT NULL,
	"name" text,
	"state" text NOT NULL,
	"args" text,
	"kwargs" text,
	"args_json" jsonb,
	"kwargs_json" jsonb,
	"result" text,
	"exception" text,
	"traceback" text,
	"worker" text,
	"queue" text,
	"retries" integer DEFAULT 0 NOT NULL,
	"eta" timestamp with time zone,
	"expires" timestamp with time zone,
	"root_id" text,
	"parent_id" text,
	"retry_of" text,
	"received_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"runtime" real,
	"signal" text,
	"state_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "celery_tasks_pkey" PRIMARY KEY("source","task_id")
);
--> statement-breakpoint
CREATE TABLE "celery_workers" (
	"source" text NOT NULL,
	"hostname" text NOT NULL,
	"freq" real,
	"last_heartbeat_at" timestamp with time zone,
	"offline_at" timestamp with time zone,
	"online_at" timestamp with time zone,
	"processed" integer,
	"active" integer,
	"loadavg" jsonb,
	"sw_ident" text,
	"sw_ver" text,
	"sw_sys" text,
	"pid" integer,
	"pool" text,
	"concurrency" integer,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "celery_workers_pkey" PRIMARY KEY("source","hostname")
);
--> statement-breakpoint
CREATE INDEX "celery_event_gaps_source_idx" ON "celery_event_gaps" USING btree ("source","from_at");--> statement-breakpoint
CREATE INDEX "celery_tasks_source_seq_idx" ON "celery_tasks" USING btree ("source","seq");--> statement-breakpoint
CREATE INDEX "celery_tasks_source_state_seq_idx" ON "celery_tasks" USING btree ("source","state","seq");--> statement-breakpoint
CREATE INDEX "celery_tasks_source_name_seq_idx" ON "celery_tasks" USING btree ("source","name","seq");--> statement-breakpoint
CREATE INDEX "celery_tasks_source_worker_state_idx" ON "celery_tasks" USING btree ("source","worker","state");