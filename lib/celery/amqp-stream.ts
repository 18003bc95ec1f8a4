// Celery events on RabbitMQ (amqp://): workers publish to the `celeryev` topic exchange with the
// event type as routing key ("task-succeeded" → `task.succeeded`, batches as `task.multi`,
// `worker.heartbeat`, …). Like Celery's own EventReceiver we bind an exclusive, auto-delete queue
// with routing key `#` and consume without acks. The queue goes with the connection, so events
// published while we are disconnected are lost: the bridge records the gap. On a lost connection
// we reconnect with backoff (0.5 s doubling up to 10 s).
import { randomUUID } from "node:crypto";
import amqp, { type ChannelModel } from "amqplib";
import { EventDecodeError, decodeAmqpMessage } from "./envelope";
import { type EventStream, type StreamHandlers, errorReason } from "./stream";

const EXCHANGE = "celeryev";
const HEARTBEAT_S = 10;

type Connection = ChannelModel;

/** The URL with `heartbeat=10` unless it names its own (a dead connection is noticed within 2 beats). */
function withHeartbeat(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has("heartbeat")) u.searchParams.set("heartbeat", String(HEARTBEAT_S));
  return u.toString();
}

export class AmqpEventStream implements EventStream {
  private conn: Connection | null = null;
  private stopping = false;
  private attempt = 0;
  private lastAliveAt = new Date();
  private listening = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly handlers: StreamHandlers,
  ) {}

  async start(): Promise<void> {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopping) return;
    let conn: Connection | null = null;
    try {
      conn = await amqp.connect(withHeartbeat(this.url), { timeout: 5_000, keepAlive: true, clientProperties: { connection_name: "jobdeck-celery-bridge" } });
      const c = conn;
      if (this.stopping) {
        await c.close().catch(() => {});
        return;
      }
      c.on("error", () => {}); // "close" follows; its error is reported there
      c.on("close", (err?: Error) => this.lost(c, err));
      const ch = await c.createChannel();
      ch.on("error", () => {});
      // The same declaration as Celery's (kombu Exchange defaults): a worker may not have made it yet.
      await ch.assertExchange(EXCHANGE, "topic", { durable: true, autoDelete: false });
      const { queue } = await ch.assertQueue(`celeryev.jobdeck-${randomUUID()}`, { exclusive: true, autoDelete: true, durable: false });
      await ch.bindQueue(queue, EXCHANGE, "#");
      await ch.consume(queue, (msg) => msg && this.deliver(msg.fields.routingKey, msg.content, msg.properties), { noAck: true });
      this.conn = c;
      this.attempt = 0;
      this.listening = true;
      this.lastAliveAt = new Date();
      this.handlers.onListening(this.lastAliveAt);
    } catch (err) {
      await conn?.close().catch(() => {});
      this.handlers.onError(`broker: ${errorReason(err)}`);
      this.schedule();
    }
  }

  private deliver(routingKey: string, content: Buffer, properties: { contentType?: unknown; contentEncoding?: unknown }): void {
    this.lastAliveAt = new Date();
    try {
      const { events, invalid } = decodeAmqpMessage(routingKey, content, properties);
      if (invalid) this.handlers.onError(`message ${routingKey}: ${invalid} item(s) that are not Celery events skipped`);
      if (events.length) this.handlers.onEvents(events);
    } catch (err) {
      if (!(err instanceof EventDecodeError)) throw err;
      this.handlers.onError(err.message);
    }
  }

  private lost(conn: Connection, err?: Error): void {
    if (conn !== this.conn) return;
    this.conn = null;
    if (this.stopping) return;
    if (this.listening) {
      this.listening = false;
      // The socket was open until now, unless it was the heartbeat check (2 missed beats) that found it dead.
      const since = /heartbeat/i.test(String(err?.message)) ? Date.now() - 2 * HEARTBEAT_S * 1000 : Date.now();
      const at = new Date(Math.max(this.lastAliveAt.getTime(), since));
      this.handlers.onLost(at, `broker connection lost${err ? `: ${errorReason(err)}` : ""}`);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.stopping || this.retry) return;
    const delay = Math.min(500 * 2 ** this.attempt++, 10_000);
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, delay);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retry) clearTimeout(this.retry);
    const conn = this.conn;
    this.conn = null;
    this.listening = false;
    await conn?.close().catch(() => {});
  }
}
