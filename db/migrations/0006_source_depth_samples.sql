CREATE TABLE "source_depth_samples" (
	"source" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"queue" text NOT NULL,
	"pending" integer DEFAULT 0 NOT NULL,
	"running" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"sampled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "source_depth_samples_pkey" PRIMARY KEY("source","bucket","queue")
);
