// Remote control over a Redis broker, the way kombu's Redis transport emulates AMQP:
// - a fanout exchange is a PUBLISH on `/{db}.{exchange}` (every worker's pidbox consumer is
//   subscribed to `/{db}.celery.pidbox` and checks `destination` itself);
// - a direct exchange is a Redis set `_kombu.binding.{exchange}` of `routing_key\x06\x16pattern\x06\x16queue`
//   members: a worker replying to `reply.celery.pidbox` reads that set and LPUSHes to every queue
//   bound with our routing key, so our reply queue is declared by adding its member first;
// - a queue is a list (priority 0 = the queue's own name): tasks are LPUSHed, consumers BRPOP.
// A fresh connection per call: actions are rare, and a broker restart then costs nothing.
import { redisEnvelope, decodeRedisEnvelope, type KombuMessage } from "./envelope";
import { type BrokerClient, type CollectOptions, PIDBOX_EXCHANGE, type PidboxBody, type PublishOutcome, REPLY_EXCHANGE, REPLY_POLL_MS } from "./transport";
import type { BrokerAddress } from "./broker-url";

const SEP = "\x06\x16";
const CONNECT_TIMEOUT_MS = 3_000;

type RedisClient = import("ioredis").Redis;

async function connect(url: string): Promise<RedisClient> {
  const { Redis } = await import("ioredis");
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    // One attempt: the caller reports an unreachable broker instead of queueing commands.
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // ioredis reports a refused connection as "Connection is closed": the socket's own error says why.
  let cause: Error | null = null;
  client.on("error", (err: Error) => (cause = err));
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw cause ?? err;
  }
  return client;
}

export async function openRedisBroker(addr: BrokerAddress): Promise<BrokerClient> {
  const redis = await connect(addr.url);
  return {
    async ping() {
      await redis.ping();
    },

    async broadcast(body: PidboxBody, headers: Record<string, unknown>, opts: CollectOptions): Promise<PublishOutcome> {
      const reply = opts.reply;
      const replyQueue = reply ? `${reply.oid}.${REPLY_EXCHANGE}` : null;
      const member = reply ? [reply.oid, "", replyQueue].join(SEP) : null;
      if (member) await redis.sadd(`_kombu.binding.${REPLY_EXCHANGE}`, member);
      try {
        const message = redisEnvelope({ body, headers, deliveryMode: 2, exchange: PIDBOX_EXCHANGE, routingKey: "" });
        const receivers = await redis.publish(`/${addr.db}.${PIDBOX_EXCHANGE}`, message);
        if (!reply || !replyQueue) return { replies: [], receivers };
        return { replies: await collect(redis, replyQueue, reply.ticket, opts), receivers };
      } finally {
        // As kombu does after a call: unbind and drop the reply queue (late replies then go nowhere).
        if (member && replyQueue) await redis.multi().srem(`_kombu.binding.${REPLY_EXCHANGE}`, member).del(replyQueue).exec().catch(() => {});
      }
    },

    async sendTask(queue: string, message: KombuMessage) {
      await redis.lpush(queue, redisEnvelope(message));
    },

    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Replies carrying `ticket` from `queue` until `limit` came or the timeout passed (others are dropped, as kombu drops unclaimed ones). */
async function collect(redis: RedisClient, queue: string, ticket: string, opts: CollectOptions): Promise<unknown[]> {
  const blocking = redis.duplicate();
  blocking.on("error", () => {});
  await blocking.connect();
  const replies: unknown[] = [];
  const deadline = Date.now() + opts.timeoutMs;
  try {
    while (opts.limit === null || replies.length < opts.limit) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      // Redis 6+ takes a fractional BRPOP timeout.
      const got = await blocking.brpop(queue, Math.max(0.01, Math.min(left, REPLY_POLL_MS) / 1000));
      if (!got) continue;
      const m = decodeRedisEnvelope(got[1]);
      if (m && (m.headers.ticket ?? ticket) === ticket) replies.push(m.body);
    }
  } finally {
    await blocking.quit().catch(() => blocking.disconnect());
  }
  return replies;
}
