// Celery events on a Redis broker: kombu's fanout exchange `celeryev` is PUBLISH on
// `/{db}.celeryev/<routing key>` (fanout_prefix and fanout_patterns, on by default since kombu 4),
// so one PSUBSCRIBE `/{db}.celeryev/*` hears every event. Pub/sub keeps nothing for an absent
// listener: what is published while we are disconnected is lost, hence the gap records.
// ioredis reconnects by itself (backoff up to 5 s); we subscribe again on each `ready` ourselves
// (autoResubscribe off) so we know the moment we listen again. A PING every few seconds proves
// the subscription alive between events (the gap's `from` is the last proof).
import { Redis } from "ioredis";
import { EventDecodeError, decodeRedisMessage, redisEventPattern } from "./envelope";
import { type EventStream, type StreamHandlers, errorReason } from "./stream";

const PING_EVERY_MS = 2_000;

export class RedisEventStream implements EventStream {
  private redis: Redis | null = null;
  private listening = false;
  private lastAliveAt = new Date();
  private lastError: string | null = null;
  private ping: NodeJS.Timeout | null = null;
  private readonly pattern: string;

  constructor(
    private readonly url: string,
    private readonly handlers: StreamHandlers,
  ) {
    this.pattern = redisEventPattern(url);
  }

  async start(): Promise<void> {
    const redis = new Redis(this.url, {
      lazyConnect: true,
      autoResubscribe: false,
      enableReadyCheck: true,
      disableClientInfo: true,
      connectionName: "jobdeck-celery-bridge",
      maxRetriesPerRequest: null,
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 5), 5_000),
    });
    this.redis = redis;
    redis.on("error", (err) => {
      this.lastError = errorReason(err);
      this.flushLost();
      this.handlers.onError(`broker: ${this.lastError}`);
    });
    redis.on("ready", () => void this.subscribe(redis));
    redis.on("close", () => this.lost());
    redis.on("pmessageBuffer", (_pattern: Buffer, channel: Buffer, message: Buffer) => {
      this.lastAliveAt = new Date();
      const name = channel.toString("utf8");
      try {
        const { events, invalid } = decodeRedisMessage(name, message);
        if (invalid) this.handlers.onError(`message on ${name}: ${invalid} item(s) that are not Celery events skipped`);
        if (events.length) this.handlers.onEvents(events);
      } catch (err) {
        if (!(err instanceof EventDecodeError)) throw err;
        this.handlers.onError(err.message);
      }
    });
    // The first connection may fail (broker down at start): ioredis keeps retrying by itself.
    redis.connect().catch(() => {});
    this.ping = setInterval(() => {
      if (!this.listening) return;
      redis.ping().then(
        () => (this.lastAliveAt = new Date()),
        () => {},
      );
    }, PING_EVERY_MS);
    this.ping.unref();
  }

  private async subscribe(redis: Redis): Promise<void> {
    try {
      await redis.psubscribe(this.pattern);
    } catch (err) {
      this.handlers.onError(`broker: PSUBSCRIBE ${this.pattern} failed: ${errorReason(err)}`);
      redis.disconnect(true);
      return;
    }
    if (redis !== this.redis) return;
    this.flushLost();
    this.listening = true;
    this.lastError = null;
    this.lastAliveAt = new Date();
    this.handlers.onListening(this.lastAliveAt);
  }

  private pendingLost: { at: Date; timer: NodeJS.Timeout } | null = null;
  private stopping = false;

  /** The socket closed: report it once the reason is known (the reconnect's error), or after 1 s. */
  private lost(): void {
    if (!this.listening || this.stopping) return;
    this.listening = false;
    const timer = setTimeout(() => this.flushLost(), 1_000);
    timer.unref();
    this.pendingLost = { at: this.lastAliveAt, timer };
  }

  private flushLost(): void {
    const p = this.pendingLost;
    if (!p) return;
    this.pendingLost = null;
    clearTimeout(p.timer);
    this.handlers.onLost(p.at, `broker connection lost${this.lastError ? `: ${this.lastError}` : ""}`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.ping) clearInterval(this.ping);
    if (this.pendingLost) clearTimeout(this.pendingLost.timer);
    this.pendingLost = null;
    const redis = this.redis;
    this.redis = null;
    this.listening = false;
    if (redis) {
      redis.removeAllListeners("pmessageBuffer");
      await redis.quit().catch(() => redis.disconnect());
    }
  }
}
