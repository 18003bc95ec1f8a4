// The tasks an action targets, batch by batch, with what each action needs to know about them:
// explicit keys (BATCH_SIZE at a time, the missing ones counted) or everything a filter matches
// (newest first along ./scan; tasks first seen after the walk began are not part of it). Each
// batch is read in a bounded read of its own, so nothing stays open while a batch is acted on.
import type { Database } from "../../../db/client";
import type { JobCriteria } from "../../filters/job-filter";
import { pusher } from "./criteria";
import { BATCH_SIZE, FACT_COLUMNS, factsOf, type TaskFacts } from "./rules";
import { boundedRead } from "./read";
import { scanSql } from "./scan";

export interface Batch {
  found: TaskFacts[];
  /** Keys given that Jobdeck has no row for. */
  missing: number;
}

export async function* walkTargets(control: Database, source: string, target: { keys: string[] } | { criteria: JobCriteria }, max = Infinity): AsyncGenerator<Batch> {
  if ("keys" in target) {
    for (let i = 0; i < target.keys.length && i < max; i += BATCH_SIZE) {
      const chunk = target.keys.slice(i, i + BATCH_SIZE);
      const facts = await boundedRead(control, (q) => factsOf(q, source, chunk));
      yield { found: chunk.filter((k) => facts.has(k)).map((k) => facts.get(k)!), missing: chunk.length - facts.size };
    }
    return;
  }
  let before: string | undefined;
  let seen = 0;
  while (seen < max) {
    const params: unknown[] = [];
    const sql = scanSql(source, target.criteria, pusher(params), `${FACT_COLUMNS}, t.seq::text as seq`, { before }, Math.min(BATCH_SIZE, max - seen));
    const rows = await boundedRead(control, (q) => q.query<TaskFacts & { seq: string }>(sql, params));
    if (!rows.length) return;
    seen += rows.length;
    yield { found: rows, missing: 0 };
    if (rows.length < BATCH_SIZE) return;
    before = rows[rows.length - 1].seq;
  }
}
