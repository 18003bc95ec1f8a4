// Remote control over RabbitMQ (amqplib), with the exchanges Celery itself declares: the pidbox
// broadcast goes to the `celery.pidbox` fanout exchange (non-durable, as kombu declares it), and
// replies come back through the `reply.celery.pidbox` direct exchange to a queue of our own bound
// with our routing key (auto-delete, expiring after 10 s unused, as kombu's reply queues do).
// Bodies are plain JSON here (no base64 envelope); headers and properties are AMQP's own.
import { bodyText, CONTENT_ENCODING, CONTENT_TYPE, type KombuMessage } from "./envelope";
import { type BrokerClient, type CollectOptions, PIDBOX_EXCHANGE, type PidboxBody, type PublishOutcome, REPLY_EXCHANGE } from "./transport";
import type { BrokerAddress } from "./broker-url";

const CONNECT_TIMEOUT_MS = 3_000;

export async function openAmqpBroker(addr: BrokerAddress): Promise<BrokerClient> {
  const amqp = await import("amqplib");
  const conn = await amqp.connect(addr.url, { timeout: CONNECT_TIMEOUT_MS });
  conn.on("error", () => {});
  // Confirms: a task message counts as sent only once RabbitMQ has taken it.
  const ch = await conn.createConfirmChannel();
  ch.on("error", () => {});
  return {
    async ping() {
      // The open connection and channel are the answer; a cheap round trip proves it is still there.
      await ch.checkExchange("amq.direct");
    },

    async broadcast(body: PidboxBody, headers: Record<string, unknown>, opts: CollectOptions): Promise<PublishOutcome> {
      await ch.assertExchange(PIDBOX_EXCHANGE, "fanout", { durable: false, autoDelete: false });
      const reply = opts.reply;
      const replies: unknown[] = [];
      let queue: string | null = null;
      let consumerTag: string | null = null;
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve) => (done = resolve));
      if (reply) {
        await ch.assertExchange(REPLY_EXCHANGE, "direct", { durable: false, autoDelete: false });
        queue = `${reply.oid}.${REPLY_EXCHANGE}`;
        await ch.assertQueue(queue, { durable: false, autoDelete: true, arguments: { "x-expires": 10_000 } });
        await ch.bindQueue(queue, REPLY_EXCHANGE, reply.oid);
        consumerTag = (
          await ch.consume(
            queue,
            (msg) => {
              if (!msg) return;
              if ((msg.properties.headers?.ticket ?? reply.ticket) !== reply.ticket) return;
              try {
                replies.push(JSON.parse(msg.content.toString("utf8")));
              } catch {
                return;
              }
              if (opts.limit !== null && replies.length >= opts.limit) done();
            },
            { noAck: true },
          )
        ).consumerTag;
      }
      try {
        ch.publish(PIDBOX_EXCHANGE, "", Buffer.from(JSON.stringify(body), "utf8"), {
          contentType: CONTENT_TYPE,
          contentEncoding: CONTENT_ENCODING,
          headers,
          deliveryMode: 2,
          priority: 0,
        });
        if (!reply) return { replies, receivers: null };
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([finished, new Promise<void>((r) => (timer = setTimeout(r, opts.timeoutMs)))]);
        clearTimeout(timer);
        return { replies, receivers: null };
      } finally {
        if (consumerTag) await ch.cancel(consumerTag).catch(() => {});
        if (queue) await ch.deleteQueue(queue).catch(() => {});
      }
    },

    async sendTask(queue: string, message: KombuMessage) {
      const p = message.properties ?? {};
      // The default exchange routes by queue name, as Celery's own producer does for a plain queue.
      ch.publish(message.exchange, message.routingKey || queue, Buffer.from(bodyText(message), "utf8"), {
        contentType: CONTENT_TYPE,
        contentEncoding: CONTENT_ENCODING,
        headers: message.headers,
        deliveryMode: message.deliveryMode,
        priority: 0,
        correlationId: typeof p.correlation_id === "string" ? p.correlation_id : undefined,
        replyTo: typeof p.reply_to === "string" && p.reply_to ? p.reply_to : undefined,
      });
      await ch.waitForConfirms();
    },

    async close() {
      await ch.close().catch(() => {});
      await conn.close().catch(() => {});
    },
  };
}
