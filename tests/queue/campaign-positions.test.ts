// The campaign page's and the action preview's position reads (gaps, missing positions, gap
// positions by what they wait for, progress) against their definition, computed here in plain
// TypeScript from the same children: random campaigns with several children per position in
// every state, positions before the first batch and past next_start_position, a floor above 0
// that a repair batch below it does not move, and empty ranges.
import { afterAll, beforeAll, expect, test } from "vitest";
import { getCampaignActionPreview, getCampaignAggregate } from "../../lib/queries/campaigns";
import type { PositionRange } from "../../lib/queue";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("campaign_positions");
});
afterAll(async () => t?.drop());

const STATES = ["pending", "running", "completed", "failed", "dead", "cancelled"] as const;
type State = (typeof STATES)[number];

/** Inclusive ranges of the positions in [lo, hi) for which `hit` is false. */
function holes(lo: number, hi: number, hit: (p: number) => boolean): PositionRange[] {
  const out: PositionRange[] = [];
  for (let p = lo; p < hi; p++) {
    if (hit(p)) continue;
    const last = out[out.length - 1];
    if (last && last.to === p - 1) last.to = p;
    else out.push({ from: p, to: p });
  }
  return out;
}

function expected(children: { position: number; state: State }[], lo: number, nsp: number) {
  const at = new Map<number, State[]>();
  for (const c of children) at.set(c.position, [...(at.get(c.position) ?? []), c.state]);
  const has = (p: number, f: (s: State) => boolean) => (at.get(p) ?? []).some(f);
  const done = (p: number) => has(p, (s) => s === "completed");
  const covered = (p: number) => has(p, (s) => s !== "cancelled");
  const live = (p: number) => has(p, (s) => s === "pending" || s === "running" || s === "failed");
  let inProgress = 0;
  let dead = 0;
  for (let p = lo; p < nsp; p++) {
    if (done(p) || !covered(p)) continue;
    if (live(p)) inProgress++;
    else dead++;
  }
  return {
    gaps: holes(lo, nsp, done),
    missing: holes(lo, nsp, covered),
    inProgress,
    dead,
    done: [...at.keys()].filter(done).length,
  };
}

/** A deterministic pseudo-random sequence (the failing seed is in the test name). */
function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

async function seedCampaign(seed: number) {
  const r = rng(seed);
  const lo = Math.floor(r() * 5);
  const nsp = lo + Math.floor(r() * 60);
  const [c] = await t.db.query<{ id: number }>(
    `insert into campaigns (name, kind, queue, batch_size, next_start_position, created_by)
     values ($1, 'ingest', 'positions', 10, $2, 'test') returning id`,
    [`positions ${seed}`, nsp],
  );
  const [batch] = await t.db.query<{ id: number }>(
    `insert into jobs (kind, queue, payload, campaign_id, position, state, finished_at)
     values ('ingest', 'positions', '{}', $1, $2, 'completed', now()) returning id`,
    [c.id, lo],
  );
  // A repair batch below the floor must not move it.
  await t.db.query(`insert into jobs (kind, queue, payload, campaign_id, position) values ('ingest', 'positions', '{"repair":{}}', $1, 0)`, [c.id]);
  const children: { position: number; state: State }[] = [];
  for (let p = 0; p < nsp + 8; p++) {
    const n = r() < 0.25 ? 0 : 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) children.push({ position: p, state: STATES[Math.floor(r() * STATES.length)] });
  }
  if (children.length) {
    await t.db.query(
      `insert into jobs (kind, queue, payload, campaign_id, parent_id, item_key, position, state)
       select 'item', 'positions', '{}', $1, $2, 'k' || x.position, x.position, x.state
       from unnest($3::bigint[], $4::text[]) as x(position, state)`,
      [c.id, batch.id, children.map((ch) => ch.position), children.map((ch) => ch.state)],
    );
  }
  return { id: c.id, lo, nsp, children };
}

/** What the aggregate and the preview say, in the shape of `expected`. */
async function positions(id: number) {
  const [agg, preview] = await Promise.all([getCampaignAggregate(t.db, id), getCampaignActionPreview(t.db, id)]);
  return { gaps: agg!.gaps.ranges, missing: agg!.missing.ranges, inProgress: preview!.repair.in_progress, dead: preview!.repair.dead, done: agg!.progress.done };
}

test.each(Array.from({ length: 12 }, (_, i) => i + 1))("random campaign (seed %i) matches the definition", async (seed) => {
  const c = await seedCampaign(seed);
  expect(await positions(c.id)).toEqual(expected(c.children, c.lo, c.nsp));
});

test("a campaign with no children: everything from the floor to next_start_position is a gap and missing", async () => {
  const [c] = await t.db.query<{ id: number }>(
    `insert into campaigns (name, kind, queue, batch_size, next_start_position, created_by) values ('empty', 'ingest', 'positions', 10, 30, 'test') returning id`,
  );
  await t.db.query(`insert into jobs (kind, queue, payload, campaign_id, position) values ('ingest', 'positions', '{}', $1, 10)`, [c.id]);
  expect(await positions(c.id)).toEqual({ gaps: [{ from: 10, to: 29 }], missing: [{ from: 10, to: 29 }], inProgress: 0, dead: 0, done: 0 });
  await t.db.query("update campaigns set next_start_position = 10 where id = $1", [c.id]);
  expect(await positions(c.id)).toEqual({ gaps: [], missing: [], inProgress: 0, dead: 0, done: 0 });
});
