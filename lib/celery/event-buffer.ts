// Buffers events between the broker and the control database and writes them in batches (one
// transaction of a few set-based statements per batch, lib/celery/record.ts): a burst of tens of
// thousands of events costs tens of round trips, not one per event. One write at a time, in
// arrival order. When the database fails, the batch stays and is tried again (backoff); when the
// buffer is full the newest events are dropped and their time span is reported as a gap.
import type { Database } from "../../db/client";
import type { CeleryEvent } from "./events";
import { recordEvents } from "./record";

export interface BufferOptions {
  /** Events per transaction (default 1000: smaller batches start sooner and measured faster in a burst, see npm run bench:celery). */
  batchSize?: number;
  /** How long an event may wait for a batch to fill (default 100 ms). */
  lingerMs?: number;
  /** Events held at most while the database is slow or down (default 200,000). */
  capacity?: number;
  onWritten?(count: number): void;
  onWriteError?(err: unknown): void;
  onDropped?(fromAt: Date, untilAt: Date, count: number): void;
}

export class EventBuffer {
  private queue: CeleryEvent[] = [];
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private dropped: { from: number; until: number; count: number } | null = null;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly capacity: number;

  constructor(
    private readonly db: Database,
    private readonly source: string,
    private readonly opts: BufferOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 1_000;
    this.lingerMs = opts.lingerMs ?? 100;
    this.capacity = opts.capacity ?? 200_000;
  }

  get pending(): number {
    return this.queue.length;
  }

  push(events: CeleryEvent[]): void {
    const room = this.capacity - this.queue.length;
    const taken = room >= events.length ? events : events.slice(0, Math.max(0, room));
    for (const e of taken) this.queue.push(e);
    if (taken.length < events.length) this.noteDropped(events.slice(taken.length));
    if (this.queue.length >= this.batchSize) this.kick();
    else if (!this.timer && !this.writing) {
      this.timer = setTimeout(() => this.kick(), this.lingerMs);
      this.timer.unref?.();
    }
  }

  private noteDropped(events: CeleryEvent[]): void {
    let from = Infinity;
    let until = -Infinity;
    for (const e of events) {
      from = Math.min(from, e.timestamp * 1000);
      until = Math.max(until, e.timestamp * 1000);
    }
    const d = this.dropped;
    this.dropped = d ? { from: Math.min(d.from, from), until: Math.max(d.until, until), count: d.count + events.length } : { from, until, count: events.length };
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writing || this.queue.length === 0) return;
    this.writing = this.writeLoop().finally(() => {
      this.writing = null;
      if (this.queue.length && !this.givenUp()) this.kick();
    });
  }

  private async writeLoop(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.slice(0, this.batchSize);
      try {
        await recordEvents(this.db, this.source, batch);
      } catch (err) {
        this.failures++;
        this.opts.onWriteError?.(err);
        // The batch stays at the head of the queue; wait before trying again.
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** Math.min(this.failures, 5), 5_000)));
        if (this.givenUp()) return;
        continue;
      }
      this.failures = 0;
      this.queue.splice(0, batch.length);
      this.opts.onWritten?.(batch.length);
      if (this.dropped) {
        const d = this.dropped;
        this.dropped = null;
        this.opts.onDropped?.(new Date(d.from), new Date(d.until), d.count);
      }
    }
  }

  private closed = false;
  private givenUp = () => this.closed && this.failures > 3;

  /** Writes what is buffered (a few tries when the database fails); returns how many events could not be written. */
  async drain(): Promise<number> {
    this.closed = true;
    this.kick();
    while (this.writing) await this.writing;
    return this.queue.length;
  }
}
