// Enqueue: one job or many, validated, inserted in chunks of set-based INSERTs.
import type { Sql } from "../../db/client";
import { formatZodError, jobSpecSchema, type JobSpec, type ParsedJobSpec } from "./job-spec";
import { QueueError } from "./state-machine";

const CHUNK = 5_000;

export function parseJobSpec(spec: JobSpec): ParsedJobSpec {
  const parsed = jobSpecSchema.safeParse(spec);
  if (!parsed.success) throw new QueueError("invalid_input", formatZodError(parsed.error));
  return parsed.data;
}

/** Inserts the jobs and returns their ids in input order. Run it inside a transaction to make a batch atomic. */
export async function enqueueMany(q: Sql, specs: readonly JobSpec[]): Promise<number[]> {
  const parsed = specs.map(parseJobSpec);
  const ids: number[] = [];
  for (let i = 0; i < parsed.length; i += CHUNK) {
    const rows = parsed.slice(i, i + CHUNK).map((s) => ({
      kind: s.kind,
      queue: s.queue,
      payload: s.payload ?? {},
      priority: s.priority,
      run_at: s.runAt?.toISOString() ?? null,
      max_attempts: s.maxAttempts,
      campaign_id: s.campaignId ?? null,
      parent_id: s.parentId ?? null,
      item_key: s.itemKey ?? null,
      position: s.position ?? null,
    }));
    const inserted = await q.query<{ id: number }>(
      `insert into jobs (kind, queue, payload, priority, run_at, max_attempts, campaign_id, parent_id, item_key, position)
       select kind, queue, payload, priority, coalesce(run_at, now()), max_attempts, campaign_id, parent_id, item_key, position
       from jsonb_to_recordset($1::jsonb) as x(kind text, queue text, payload jsonb, priority int,
            run_at timestamptz, max_attempts int, campaign_id bigint, parent_id bigint, item_key text, position bigint)
       returning id`,
      [JSON.stringify(rows)],
    );
    // Serial ids follow the recordset's order, which is the input order.
    ids.push(...inserted.map((r) => r.id).sort((a, b) => a - b));
  }
  return ids;
}

export async function enqueue(q: Sql, spec: JobSpec): Promise<number> {
  const [id] = await enqueueMany(q, [spec]);
  return id;
}
