// Pause and resume a native queue (issue 15). A pause commits with its audit row; from then on
// no claim takes the queue's jobs (lib/queue/claim.ts reads queue_controls in the claim
// statement itself, so there is no cache to go stale), while running jobs finish. Enqueueing
// into a paused queue still works: the jobs wait. Shared by the server actions, the API and the CLI.
import type { Database, Sql } from "../../db/client";
import { type Actor, recordAudit } from "../audit/record";
import { readJobCounts } from "./counters";
import { JOB_STATES, type JobState, QueueError } from "./state-machine";

export const MAX_QUEUE_NAME = 200;
export const MAX_PAUSE_REASON = 500;

export interface QueueControl {
  queue: string;
  paused: boolean;
  paused_at: Date | null;
  paused_by: string | null;
  pause_reason: string | null;
  /** Who last paused or resumed it, and when. */
  updated_at: Date | null;
  updated_by: string | null;
}

export interface QueueRow extends QueueControl {
  /** Jobs by state, exact (the counters kept with the transitions). */
  counts: Record<JobState, number>;
}

const CONTROL_COLUMNS = `queue, paused_at is not null as paused, paused_at, paused_by, pause_reason, updated_at, updated_by`;

function checkQueueName(queue: string) {
  if (!queue || queue.length > MAX_QUEUE_NAME || /[\u0000-\u001f\u007f]/.test(queue)) {
    throw new QueueError("invalid_input", `queue must be 1–${MAX_QUEUE_NAME} characters without control characters`);
  }
}

function checkReason(reason: string | null | undefined): string | null {
  const r = reason?.trim() || null;
  if (r && r.length > MAX_PAUSE_REASON) throw new QueueError("invalid_input", `reason must be at most ${MAX_PAUSE_REASON} characters`);
  return r;
}

/** Every queue that has jobs or a control row, with its counts and whether it is paused; by name. */
export async function listQueues(q: Sql): Promise<QueueRow[]> {
  const [counts, controls] = await Promise.all([readJobCounts(q), q.query<QueueControl>(`select ${CONTROL_COLUMNS} from queue_controls`)]);
  const rows = new Map<string, QueueRow>();
  const row = (queue: string) => {
    let r = rows.get(queue);
    if (!r) {
      r = { queue, paused: false, paused_at: null, paused_by: null, pause_reason: null, updated_at: null, updated_by: null, counts: Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number> };
      rows.set(queue, r);
    }
    return r;
  };
  for (const c of counts) row(c.queue).counts[c.state] += c.n;
  for (const c of controls) Object.assign(row(c.queue), c);
  return [...rows.values()].sort((a, b) => a.queue.localeCompare(b.queue));
}

/** The paused queues (for banners and badges): name → who paused it, when and why. */
export async function pausedQueues(q: Sql): Promise<QueueControl[]> {
  return q.query<QueueControl>(`select ${CONTROL_COLUMNS} from queue_controls where paused_at is not null order by queue`);
}

export interface QueueControlResult {
  queue: string;
  /** False when the queue already was in that state (nothing changed; still audited). */
  changed: boolean;
  control: QueueControl;
  audit_id: number;
}

async function setPaused(db: Database, input: { queue: string; actor: Actor; reason?: string | null }, pause: boolean, action: string): Promise<QueueControlResult> {
  checkQueueName(input.queue);
  const reason = checkReason(input.reason);
  return db.tx(async (q) => {
    // The row lock orders concurrent pauses and resumes of one queue; `changed` is judged under it.
    await q.query(`insert into queue_controls (queue, updated_by) values ($1, $2) on conflict (queue) do nothing`, [input.queue, input.actor.name]);
    const [before] = await q.query<{ paused: boolean }>(`select paused_at is not null as paused from queue_controls where queue = $1 for update`, [input.queue]);
    const changed = before.paused !== pause;
    const [control] = changed
      ? await q.query<QueueControl>(
          pause
            ? `update queue_controls set paused_at = now(), paused_by = $2, pause_reason = $3, updated_at = now(), updated_by = $2 where queue = $1 returning ${CONTROL_COLUMNS}`
            : `update queue_controls set paused_at = null, paused_by = null, pause_reason = null, updated_at = now(), updated_by = $2 where queue = $1 returning ${CONTROL_COLUMNS}`,
          [input.queue, input.actor.name, ...(pause ? [reason] : [])],
        )
      : await q.query<QueueControl>(`select ${CONTROL_COLUMNS} from queue_controls where queue = $1`, [input.queue]);
    const auditId = await recordAudit(q, {
      actor: input.actor,
      action,
      filter: { queue: input.queue },
      affected: changed ? 1 : 0,
      reason,
      outcome: "ok",
      details: { queue: input.queue, paused: pause, changed },
    });
    return { queue: input.queue, changed, control, audit_id: auditId };
  });
}

/** Pauses `queue`: claims skip it from the commit on; running jobs finish. Audited ("queue.pause"). */
export function pauseQueue(db: Database, input: { queue: string; actor: Actor; reason?: string | null }) {
  return setPaused(db, input, true, "queue.pause");
}

/** Resumes `queue`: its ready jobs are claimed again. Audited ("queue.resume"). */
export function resumeQueue(db: Database, input: { queue: string; actor: Actor; reason?: string | null }) {
  return setPaused(db, input, false, "queue.resume");
}
