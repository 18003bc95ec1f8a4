// Schemas of the sources endpoints (GET /api/v1/sources, GET /api/v1/admin/workers): request
// validation and the OpenAPI document, like lib/api/schemas.ts for the jobs endpoints.
import { z } from "zod";
import { CAPABILITIES, SOURCE_KINDS } from "../sources/types";
import { JOB_STATES } from "../queue/state-machine";

const unknownParam = { error: (i: { code?: string; keys?: string[] }) => (i.code === "unrecognized_keys" ? `unknown query parameter ${(i.keys ?? []).map((k) => `"${k}"`).join(", ")}` : undefined) };

export const sourceParam = z.string().trim().max(60).optional().describe("Source name (GET /api/v1/sources); default jobdeck, the native queue");

export const sourcesQuery = z.strictObject({}, unknownParam);
export const workersQuery = z.strictObject({ source: sourceParam }, unknownParam);

const capped = z.object({ value: z.number().int(), capped: z.boolean() });
const capability = z.object({ supported: z.boolean(), reason: z.string().optional() });

export const sourceEntry = z.object({
  name: z.string(),
  kind: z.enum(SOURCE_KINDS),
  library: z.string(),
  library_version: z.string().nullable(),
  schema_version: z.string().nullable(),
  location: z.string().describe("host, port, database and schema; never a password"),
  read_only: z.boolean(),
  read_only_reason: z.string().nullable(),
  capabilities: z.object(Object.fromEntries(CAPABILITIES.map((c) => [c, capability])) as Record<(typeof CAPABILITIES)[number], typeof capability>),
  unsupported_filters: z.record(z.string(), z.string()),
  state_map: z.array(z.object({ native: z.string(), state: z.enum(JOB_STATES), note: z.string().optional() })),
  notices: z
    .array(z.object({ tone: z.enum(["info", "warn", "bad"]), text: z.string() }))
    .describe("what to know before trusting the source's data, as its pages show it (a Celery source: \"no events since 10:02: the bridge lost the broker\")"),
  health: z.object({ ok: z.boolean(), checked_at: z.string(), latency_ms: z.number().nullable(), error: z.string().nullable(), breaker: z.enum(["closed", "open", "half-open"]) }),
  summary: z
    .object({
      as_of: z.string(),
      counts: z.record(z.string(), capped),
      oldest_pending_age_seconds: z.number().nullable(),
      failed_last_hour: z.number().nullable(),
      completed_last_hour: z.number().nullable(),
      workers: z.object({ online: z.number(), offline: z.number() }).nullable(),
      stale: z.number().nullable(),
    })
    .nullable()
    .describe("null when the source could not be read (see health)"),
});
export const sourcesResponse = z.object({ sources: z.array(sourceEntry) });

export const workerEntry = z.object({
  id: z.string(),
  status: z.enum(["ONLINE", "OFFLINE", "STOPPED", "UNKNOWN"]),
  hostname: z.string().nullable(),
  pid: z.number().nullable(),
  queues: z.array(z.string()),
  concurrency: z.number().nullable(),
  version: z.string().nullable(),
  started_at: z.string().nullable(),
  last_heartbeat_at: z.string().nullable(),
  heartbeat_age_seconds: z.number().nullable(),
  processed: z.number().nullable(),
  failed: z.number().nullable(),
  running_count: z.number(),
  running: z.array(z.object({ key: z.string(), kind: z.string(), queue: z.string(), started_at: z.string().nullable(), lease_expired: z.boolean() })),
});
export const workersResponse = z.object({ source: z.string(), workers: z.array(workerEntry) });
