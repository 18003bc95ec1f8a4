// How far a streaming replica is behind its primary, checked at most once a second (the last
// answer is used meanwhile and refreshed in the background, so a request never waits for a check
// except the very first). Lag is not `now() - pg_last_xact_replay_timestamp()` alone: on an idle
// primary that grows while the replica is current. Instead each check samples the primary's
// pg_current_wal_lsn() BEFORE the replica's pg_last_wal_replay_lsn(): a replica that replayed past
// the LSN sampled at time t holds everything committed before t, so its data is "as of" the latest
// such t (0 s when it passed this check's sample). Only when no sample qualifies (the first check,
// or a replica behind all of them) the replay timestamp gives the estimate.
import type { Database } from "@/db/client";
import { describeDbError } from "@/db/outage";

/** A WAL position "16/B374D848" as a number, for comparing. */
export function parseLsn(text: string | null | undefined): bigint | null {
  const m = text ? /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(text) : null;
  return m ? (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`) : null;
}

export interface ReplicaStatus {
  up: boolean;
  /** Why the replica is not used (up = false). */
  error: string | null;
  /** What the replica has replayed; null when it could not say. */
  replayLsn: bigint | null;
  /** How old the replica's data is, in seconds (0 when current); null when unknown. */
  lagSeconds: number | null;
  checkedAt: number;
}

const CHECK_EVERY_MS = 1_000;
const SAMPLES = 120;
const RECHECK_AFTER_MS = 50;

export class ReplicaMonitor {
  private last: ReplicaStatus | null = null;
  private checking: Promise<ReplicaStatus> | null = null;
  private readonly samples: { at: number; lsn: bigint }[] = [];

  constructor(
    private readonly primary: Database,
    private readonly replica: Database,
    /** Told when the replica goes down or comes back (a log line). */
    private readonly onChange: (s: ReplicaStatus) => void = () => {},
  ) {}

  /** The latest status: the cached one while fresh, else (after the first check) the cached one while a new check runs. */
  async status(): Promise<ReplicaStatus> {
    const fresh = this.last && Date.now() - this.last.checkedAt < CHECK_EVERY_MS;
    if (fresh) return this.last!;
    const next = this.check();
    return this.last ?? next;
  }

  /** A query on the replica found it unreachable: use the primary until a check finds it again. */
  markDown(err: unknown): void {
    this.record({ up: false, error: describeDbError(err), replayLsn: this.last?.replayLsn ?? null, lagSeconds: null, checkedAt: Date.now() });
  }

  private check(): Promise<ReplicaStatus> {
    this.checking ??= this.measure()
      .then((s) => this.record(s))
      .finally(() => (this.checking = null));
    return this.checking;
  }

  private record(s: ReplicaStatus): ReplicaStatus {
    const changed = !this.last || this.last.up !== s.up;
    this.last = s;
    if (changed) this.onChange(s);
    return s;
  }

  private async measure(): Promise<ReplicaStatus> {
    const at = Date.now();
    // The primary first: its LSN now is what the replica must have replayed to be current.
    const primaryLsn = await this.primary
      .query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn")
      .then(([r]) => parseLsn(r?.lsn))
      .catch(() => null);
    if (primaryLsn !== null) {
      this.samples.push({ at, lsn: primaryLsn });
      if (this.samples.length > SAMPLES) this.samples.shift();
    }
    try {
      let r = await this.replayed();
      // WAL the primary wrote a moment ago (its background records too) is replayed within ms:
      // one more look before calling a replica behind, so an idle system never flashes a lag.
      if (primaryLsn !== null && r.lsn !== null && r.lsn < primaryLsn) {
        await new Promise((res) => setTimeout(res, RECHECK_AFTER_MS));
        r = await this.replayed();
      }
      return { up: true, error: null, replayLsn: r.lsn, lagSeconds: this.lag(r.lsn, r.age, at), checkedAt: Date.now() };
    } catch (err) {
      return { up: false, error: describeDbError(err), replayLsn: null, lagSeconds: null, checkedAt: Date.now() };
    }
  }

  private async replayed(): Promise<{ lsn: bigint | null; age: number | null }> {
    const [r] = await this.replica.query<{ replay: string | null; age: number | null }>(
      "select pg_last_wal_replay_lsn()::text as replay, extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as age",
    );
    return { lsn: parseLsn(r?.replay), age: r?.age ?? null };
  }

  private lag(replayLsn: bigint | null, replayAgeSeconds: number | null, at: number): number | null {
    // Not in recovery (no replay position): a promoted or ordinary server is current by definition.
    if (replayLsn === null) return 0;
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const s = this.samples[i];
      if (s.lsn <= replayLsn) return s.at === at ? 0 : (at - s.at) / 1000;
    }
    return replayAgeSeconds === null ? null : Math.max(0, replayAgeSeconds);
  }
}
