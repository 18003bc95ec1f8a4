// The broker side of the bridge: a subscription to Celery's event stream that reconnects by
// itself and says when it listens and when it stopped listening (the bridge records the gap).
import { parseBrokerUrl } from "./control/broker-url";
import type { CeleryEvent } from "./events";

export interface StreamHandlers {
  /** Decoded events of one broker message. */
  onEvents(events: CeleryEvent[]): void;
  /** The subscription is active from `at` on (first time and after every reconnect). */
  onListening(at: Date): void;
  /** The connection dropped; `lastAliveAt` is the last moment it was known to be listening. */
  onLost(lastAliveAt: Date, reason: string): void;
  /** A message that could not be decoded, or a connection error while reconnecting. */
  onError(message: string): void;
}

export interface EventStream {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Where a broker is, never its password (for logs and last_error). */
export function describeBroker(url: string): string {
  try {
    return parseBrokerUrl(url).location;
  } catch {
    return "(unparseable broker URL)";
  }
}

/** A short reason from a connection error: its code (ECONNREFUSED) or its first line, without URLs. */
export function errorReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e && typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) return e.code;
  const first = String(e?.message ?? err ?? "unknown error").split("\n")[0].slice(0, 200);
  return first.replace(/(redis|rediss|amqp|amqps):\/\/\S+/gi, "$1://…");
}

export async function openEventStream(brokerUrl: string, handlers: StreamHandlers): Promise<EventStream> {
  if (/^rediss?:/i.test(brokerUrl)) {
    const { RedisEventStream } = await import("./redis-stream");
    return new RedisEventStream(brokerUrl, handlers);
  }
  const { AmqpEventStream } = await import("./amqp-stream");
  return new AmqpEventStream(brokerUrl, handlers);
}
