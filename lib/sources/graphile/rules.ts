// The rules of the four job actions on a graphile-worker source, in one place: which jobs each
// changes (by Jobdeck state, stale locks apart), why it skips the others, input checks, and
// the classification of jobs by key. Preview (./preview) and apply (./actions) share them.
import type { Sql } from "../../../db/client";
import { QueueError } from "../../queue/state-machine";
import type { ActionInput, SourceAction } from "../types";
import { parseGraphileKey } from "./keys";
import { quoteIdent } from "./schema";
import { actionClassSql } from "./states";

export const BATCH_SIZE = 500;
/** At most this many changed keys are returned; counts are always exact. */
export const MAX_RETURNED_KEYS = 10_000;
/** graphile-worker stores priority as a smallint. */
const PRIORITY_LIMIT = 32_767;

/** What an action may find a job as: Jobdeck's states, with stale locks apart. */
export type JobClass = "pending" | "failed" | "dead" | "running" | "stale";

export const CLASS_SQL = actionClassSql();

const LOCKED = "running: graphile-worker's functions leave a job alone while a worker holds its lock";
const STALE = "stale lock (over 4 h): recover it first";
export const NOT_FOUND = "not found: graphile-worker deletes a job once it completes";
export const MEANWHILE = "changed meanwhile: a worker locked or finished it";

export const RULES: Record<SourceAction, { change: JobClass[]; skip: Partial<Record<JobClass, string>> }> = {
  retry: { change: ["failed", "dead"], skip: { pending: "pending: it has not failed (use run now)", running: LOCKED, stale: STALE } },
  cancel: { change: ["pending", "failed"], skip: { dead: "already permanently failed", running: LOCKED, stale: STALE } },
  priority: { change: ["pending", "failed"], skip: { dead: "permanently failed: retry it first", running: LOCKED, stale: STALE } },
  runNow: { change: ["pending", "failed"], skip: { dead: "permanently failed: retry it to run it again", running: LOCKED, stale: STALE } },
};

/** Throws QueueError (a 400) for a malformed input; returns the distinct keys, newest first. */
export function checkInput(input: ActionInput, sourceName: string): string[] | null {
  if (!Object.hasOwn(RULES, input.action)) throw new QueueError("invalid_input", `unknown action "${String(input.action)}"`);
  if (input.action === "priority") {
    const p = input.priority;
    if (typeof p !== "number" || !Number.isInteger(p) || Math.abs(p) > PRIORITY_LIMIT) {
      throw new QueueError("invalid_input", `priority must be a whole number from -${PRIORITY_LIMIT} to ${PRIORITY_LIMIT} (higher runs first)`);
    }
  }
  if ((input.target.keys === undefined) === (input.target.criteria === undefined)) throw new QueueError("invalid_input", "give either keys or a filter");
  if (!input.target.keys) return null;
  const keys = new Set<string>();
  for (const raw of input.target.keys) {
    const k = parseGraphileKey(String(raw));
    if (k === null) throw new QueueError("invalid_input", `"${String(raw).slice(0, 40)}" is not a job of source "${sourceName}" (a graphile-worker job id)`);
    keys.add(k);
  }
  return [...keys].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0));
}

export const add = (into: Record<string, number>, reason: string, n = 1) => {
  if (n) into[reason] = (into[reason] ?? 0) + n;
};

export async function classesOf(q: Sql, schema: string, keys: readonly string[]): Promise<Map<string, JobClass>> {
  const rows = await q.query<{ key: string; class: JobClass }>(`select j.id::text as key, ${CLASS_SQL} as class from ${quoteIdent(schema)}.jobs j where j.id = any($1::bigint[])`, [keys]);
  return new Map(rows.map((r) => [r.key, r.class]));
}
