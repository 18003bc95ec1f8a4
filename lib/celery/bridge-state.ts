// What the bridge records about itself: one celery_bridges row per source (holder, connected,
// last event, events counted, last error, updated_at = the last moment it was known alive) and
// celery_event_gaps (the times nobody was listening: the source shows them instead of
// pretending nothing happened).
import type { Sql } from "../../db/client";

export interface BridgeRow {
  holder: string | null;
  connected: boolean;
  updated_at: Date;
}

export async function readBridge(q: Sql, source: string): Promise<BridgeRow | null> {
  const [row] = await q.query<BridgeRow>("select holder, connected, updated_at from celery_bridges where source = $1", [source]);
  return row ?? null;
}

/** Takes the row for this holder (a leader just started): not connected yet. */
export async function claimBridge(q: Sql, source: string, holder: string): Promise<void> {
  await q.query(
    `insert into celery_bridges (source, holder, connected, updated_at) values ($1, $2, false, now())
     on conflict (source) do update set holder = excluded.holder, connected = false, updated_at = now()`,
    [source, holder],
  );
}

export interface BridgeProgress {
  connected: boolean;
  /** Events counted since the last write (added to events_total). */
  events: number;
  lastEventAt: Date | null;
  /** undefined: unchanged; null: cleared. */
  lastError?: string | null;
}

/** The periodic status write (at most once a second): also the bridge's "still alive" mark. */
export async function writeBridgeProgress(q: Sql, source: string, holder: string, p: BridgeProgress): Promise<void> {
  await q.query(
    `update celery_bridges set holder = $2, connected = $3, events_total = events_total + $4,
       last_event_at = greatest(last_event_at, $5), last_error = case when $6::boolean then $7 else last_error end, updated_at = now()
     where source = $1`,
    [source, holder, p.connected, p.events, p.lastEventAt, p.lastError !== undefined, p.lastError ?? null],
  );
}

/** A gap opens unless one is already open (one open gap per source at a time). Returns whether it opened one. */
export async function openGap(q: Sql, source: string, fromAt: Date, reason: string): Promise<boolean> {
  const rows = await q.query(
    `insert into celery_event_gaps (source, from_at, reason)
     select $1, $2, $3 where not exists (select 1 from celery_event_gaps where source = $1 and until_at is null)
     returning id`,
    [source, fromAt, reason],
  );
  return rows.length > 0;
}

/** Closes the open gap (if any) at `untilAt`: the bridge listens again. */
export async function closeGaps(q: Sql, source: string, untilAt: Date): Promise<number> {
  const rows = await q.query(
    "update celery_event_gaps set until_at = greatest(from_at, $2) where source = $1 and until_at is null returning id",
    [source, untilAt],
  );
  return rows.length;
}

/** Events the bridge had to drop (the control database could not take them): a closed gap of their time span. */
export async function recordDroppedGap(q: Sql, source: string, fromAt: Date, untilAt: Date, count: number, why: string): Promise<void> {
  await q.query("insert into celery_event_gaps (source, from_at, until_at, reason) values ($1, $2, $3, $4)", [
    source,
    fromAt,
    untilAt,
    `${count} event(s) dropped: ${why}`,
  ]);
}
