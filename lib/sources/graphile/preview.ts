// What an action would do on a graphile-worker source: the preview an operator confirms (exact
// for keys; over a filter counted along the id index up to PREVIEW_CAP matches, or one payload
// window, and labelled capped beyond), and the exact number a bulk guard is asked about.
import type { Sql } from "../../../db/client";
import type { JobCriteria } from "../../filters/job-filter";
import type { ActionInput, ActionPreview, SourceAction } from "../types";
import { pusher } from "./criteria";
import { add, BATCH_SIZE, CLASS_SQL, classesOf, type JobClass, NOT_FOUND, RULES } from "./rules";
import { matchingSql, windowEdge } from "./scan";

/** A filter's preview counts at most this many matching jobs (labelled capped beyond, or when a payload window ran out). */
export const PREVIEW_CAP = 100_000;
/** Matching jobs classified per statement when counting exactly. */
const COUNT_CHUNK = 100_000;

export async function previewGraphileAction(q: Sql, schema: string, input: ActionInput, keys: string[] | null): Promise<ActionPreview> {
  const rule = RULES[input.action];
  const skipped: Record<string, number> = {};
  let willChange = 0;
  const tally = (c: JobClass, n: number) => {
    if (rule.change.includes(c)) willChange += n;
    else add(skipped, rule.skip[c]!, n);
  };
  if (keys) {
    let found = 0;
    for (let i = 0; i < keys.length; i += BATCH_SIZE) {
      for (const c of (await classesOf(q, schema, keys.slice(i, i + BATCH_SIZE))).values()) {
        found++;
        tally(c, 1);
      }
    }
    add(skipped, NOT_FOUND, keys.length - found);
    return { matched: found, matchedCapped: false, willChange, skipped };
  }
  const criteria = input.target.criteria!;
  const params: unknown[] = [];
  const p = pusher(params);
  const { sql, windowed } = matchingSql(schema, criteria, p, `j.id, ${CLASS_SQL} as class`, {}, PREVIEW_CAP + 1);
  const rows = await q.query<{ class: JobClass; n: number; total: number }>(
    `select x.class, count(*) filter (where x.rn <= ${p(PREVIEW_CAP)})::int as n, count(*)::int as total
     from (select m.class, row_number() over (order by m.id desc) as rn from (${sql}) m) x
     group by 1`,
    params,
  );
  const total = rows.reduce((a, r) => a + Number(r.total), 0);
  for (const r of rows) tally(r.class, Number(r.n));
  const capped = total > PREVIEW_CAP || (windowed && (await windowEdge(q, schema, criteria, {})) !== null);
  return { matched: Math.min(total, PREVIEW_CAP), matchedCapped: capped, willChange, skipped };
}

/**
 * Exactly how many jobs matching `criteria` the action would change now: every match, walked
 * COUNT_CHUNK at a time (payload windows included). The question a bulk guard asks before
 * anything changes; `frozenNow` is the apply's own instant.
 */
export async function countWillChange(q: Sql, schema: string, criteria: JobCriteria, action: SourceAction, frozenNow: string): Promise<number> {
  const change = RULES[action].change.map((c) => `'${c}'`).join(", ");
  let before: string | undefined;
  let total = 0;
  for (;;) {
    const params: unknown[] = [];
    const cursor = { before, frozenNow };
    const { sql, windowed } = matchingSql(schema, criteria, pusher(params), `j.id, ${CLASS_SQL} as class`, cursor, COUNT_CHUNK);
    const [r] = await q.query<{ n: number; change: number; last: string | null }>(
      `select count(*)::int as n, count(*) filter (where m.class in (${change}))::int as change, min(m.id)::text as last from (${sql}) m`,
      params,
    );
    total += Number(r.change);
    if (Number(r.n) === COUNT_CHUNK) before = r.last!;
    else {
      const edge = windowed ? await windowEdge(q, schema, criteria, cursor) : null;
      if (edge === null) return total;
      before = edge;
    }
  }
}
