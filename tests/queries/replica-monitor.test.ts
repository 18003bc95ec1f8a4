// The replica's lag as the lag banner sees it (lib/server/replica-monitor), against a real
// primary and streaming replica (tests/helpers/pg-cluster): current → 0 s even while the primary
// is idle; replay paused behind a write → the data's age grows past a second; replay resumed → 0 s
// again; replica stopped → down, with the reason.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Database, openDatabase } from "../../db/client";
import { parseLsn, ReplicaMonitor, type ReplicaStatus } from "../../lib/server/replica-monitor";
import { type ReplicatedClusters, startReplicatedClusters } from "../helpers/pg-cluster";

let clusters: ReplicatedClusters;
let primary: Database;
let replica: Database;
let monitor: ReplicaMonitor;
const changes: boolean[] = [];

beforeAll(async () => {
  clusters = await startReplicatedClusters("jobdeck_monitor");
  primary = await openDatabase({ databaseUrl: clusters.primaryUrl, max: 2 });
  replica = await openDatabase({ databaseUrl: clusters.replicaUrl, max: 2 });
  monitor = new ReplicaMonitor(primary, replica, (s) => changes.push(s.up));
}, 60_000);

afterAll(async () => {
  await replica?.close();
  await primary?.close();
  clusters?.stop();
});

/** A status measured after `ms` (the monitor re-checks at most once a second, in the background). */
async function settled(ms = 1_100): Promise<ReplicaStatus> {
  await new Promise((r) => setTimeout(r, ms));
  await monitor.status(); // starts the re-check
  await new Promise((r) => setTimeout(r, 300));
  return monitor.status();
}

it("parses WAL positions in order", () => {
  expect(parseLsn("0/3000148")).toBe(0x3000148n);
  expect(parseLsn("16/B374D848")! > parseLsn("15/FFFFFFFF")!).toBe(true);
  expect(parseLsn(null)).toBeNull();
  expect(parseLsn("nonsense")).toBeNull();
});

it("follows the replica: current, behind while replay is paused, current again, down", async () => {
  await primary.query("create table probe (x int)");
  await new Promise((r) => setTimeout(r, 500));
  let s = await monitor.status();
  expect(s).toMatchObject({ up: true, error: null, lagSeconds: 0 });
  // An idle primary for a few seconds: still current (a replay timestamp alone would say otherwise).
  s = await settled(2_000);
  expect(s.lagSeconds).toBe(0);

  await clusters.replicaAdmin("select pg_wal_replay_pause()");
  for (let i = 0; ((await clusters.replicaAdmin("select pg_get_wal_replay_pause_state() as s")) as { s: string }[])[0].s !== "paused"; i++) {
    if (i > 100) throw new Error("replay did not pause");
    await new Promise((r) => setTimeout(r, 50));
  }
  await primary.query("insert into probe values (1)");
  s = await settled(1_500);
  expect(s.up).toBe(true);
  expect(s.lagSeconds).toBeGreaterThan(1);
  const [{ lsn }] = await primary.query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn");
  expect(s.replayLsn! < parseLsn(lsn)!).toBe(true);

  await clusters.replicaAdmin("select pg_wal_replay_resume()");
  s = await settled();
  expect(s.lagSeconds).toBe(0);
  expect(s.replayLsn! >= parseLsn(lsn)!).toBe(true);

  clusters.stopReplica();
  s = await settled();
  expect(s.up).toBe(false);
  expect(s.error).toMatch(/ECONNREFUSED|terminat|shut/i);
  expect(changes).toEqual([true, false]);
}, 30_000);
