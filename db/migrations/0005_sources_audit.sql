ALTER TABLE "audit_events" ADD COLUMN "source" text DEFAULT 'jobdeck' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "target_keys" text[];--> statement-breakpoint
CREATE INDEX "audit_events_target_keys_idx" ON "audit_events" USING gin ("target_keys");--> statement-breakpoint
CREATE INDEX "audit_events_pending_idx" ON "audit_events" USING btree ("at") WHERE outcome = 'pending';