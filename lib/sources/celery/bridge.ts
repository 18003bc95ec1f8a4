// What the bridge (lib/celery, the ingest side) says about a Celery source: whether it is
// listening to the broker now, its last event, and the gaps when it was not. Everything a Celery
// page shows is only as current as that, so it becomes the banners of those pages (SourceInfo
// notices): an open gap first ("no events since 10:02: the bridge lost the broker"), then gaps
// of the last day, then how far back the history goes.
import type { Sql } from "../../../db/client";
import type { SourceNotice } from "../types";
import { iso } from "./rows";

/** The bridge marks itself alive every few seconds (celery_bridges.updated_at); silent longer than this, its process is presumed gone. */
export const BRIDGE_SILENT_AFTER_SECONDS = 30;

export interface BridgeStatus {
  /** null: no bridge has ever run for this source. */
  connected: boolean | null;
  /** Connected, but its holder has not marked itself alive for BRIDGE_SILENT_AFTER_SECONDS: it died without saying so. */
  silentSince: string | null;
  holder: string | null;
  lastEventAt: string | null;
  lastError: string | null;
  eventsTotal: number;
  openGap: { fromAt: string; reason: string } | null;
  /** Closed gaps that ended in the last 24 h, newest first. */
  recentGaps: { fromAt: string; untilAt: string; reason: string }[];
  /** When the oldest task Jobdeck keeps was first seen: the history starts there. */
  historySince: string | null;
}

export async function readBridgeStatus(q: Sql, source: string): Promise<BridgeStatus> {
  const [[bridge], gaps, [oldest]] = await Promise.all([
    q.query<{ connected: boolean; holder: string | null; last_event_at: Date | null; last_error: string | null; events_total: number; updated_at: Date; silent: boolean }>(
      `select connected, holder, last_event_at, last_error, events_total, updated_at,
         updated_at < now() - make_interval(secs => ${BRIDGE_SILENT_AFTER_SECONDS}) as silent
       from celery_bridges where source = $1`,
      [source],
    ),
    q.query<{ from_at: Date; until_at: Date | null; reason: string }>(
      `select from_at, until_at, reason from celery_event_gaps where source = $1 and (until_at is null or until_at > now() - interval '24 hours')
       order by from_at desc limit 6`,
      [source],
    ),
    q.query<{ first_seen_at: Date }>("select first_seen_at from celery_tasks where source = $1 order by seq limit 1", [source]),
  ]);
  const open = gaps.find((g) => g.until_at === null) ?? null;
  return {
    connected: bridge ? bridge.connected : null,
    silentSince: bridge?.connected && bridge.silent ? iso(bridge.updated_at) : null,
    holder: bridge?.holder ?? null,
    lastEventAt: iso(bridge?.last_event_at),
    lastError: bridge?.last_error ?? null,
    eventsTotal: Number(bridge?.events_total ?? 0),
    openGap: open ? { fromAt: iso(open.from_at)!, reason: open.reason } : null,
    recentGaps: gaps.filter((g) => g.until_at !== null).slice(0, 3).map((g) => ({ fromAt: iso(g.from_at)!, untilAt: iso(g.until_at)!, reason: g.reason })),
    historySince: iso(oldest?.first_seen_at),
  };
}

/** Why the bridge is not listening now (the health check's error), or null when it is. */
export function bridgeProblem(b: BridgeStatus): string | null {
  if (b.openGap) return `the bridge has recorded no events since ${b.openGap.fromAt} (${b.openGap.reason})`;
  if (b.connected === null) return "no Celery bridge has listened to this broker yet";
  if (b.silentSince) return `the Celery bridge${b.holder ? ` (${b.holder})` : ""} has not reported since ${b.silentSince}`;
  return b.connected ? null : `the Celery bridge is not connected${b.lastError ? ` (${b.lastError})` : ""}`;
}

/** `2026-05-04 10:02:13 UTC`: banners are rendered on the server, so they name the zone. */
export function clock(at: string): string {
  return `${at.slice(0, 10)} ${at.slice(11, 19)} UTC`;
}

export function bridgeNotices(b: BridgeStatus, source: string): SourceNotice[] {
  const out: SourceNotice[] = [];
  if (b.openGap) {
    out.push({ tone: "bad", text: `No events since ${clock(b.openGap.fromAt)}: ${b.openGap.reason}. Tasks and workers are shown as they were then.` });
  } else if (b.connected === null) {
    out.push({
      tone: "bad",
      text: `No Celery bridge has listened to this broker yet, so nothing here is current. It runs inside the Jobdeck server, or as jobdeck celery-bridge --source ${source}; workers must send events (-E).`,
    });
  } else if (b.silentSince) {
    out.push({
      tone: "bad",
      text: `The Celery bridge${b.holder ? ` (${b.holder})` : ""} has not reported since ${clock(b.silentSince)}: its process may have stopped, so nothing after that is recorded until a bridge runs again.`,
    });
  } else if (!b.connected) {
    out.push({ tone: "bad", text: `The Celery bridge is not connected to the broker${b.lastError ? ` (${b.lastError})` : ""}: no events are being recorded${b.lastEventAt ? ` since ${clock(b.lastEventAt)}` : ""}.` });
  }
  for (const g of b.recentGaps) out.push({ tone: "warn", text: `No events between ${clock(g.fromAt)} and ${clock(g.untilAt)} (${g.reason}): tasks that changed then may show an older state.` });
  if (b.historySince) out.push({ tone: "info", text: `History is kept since the bridge started listening: the oldest task here was first seen ${clock(b.historySince)}.` });
  return out;
}
