// Unwraps Celery event messages as each broker carries them.
//
// Redis (kombu's virtual transport; fanout = PUBLISH on `/{db}.celeryev/<routing key>`, e.g.
// `/0.celeryev/task.multi`): the payload is kombu's JSON envelope
//   {"body": "<base64>", "content-type": "application/json", "content-encoding": "utf-8",
//    "headers": {"hostname": …}, "properties": {"body_encoding": "base64", "delivery_info":
//    {"exchange": "celeryev", "routing_key": "task.multi"}, "delivery_mode": 1, "priority": 0, …}}
// RabbitMQ (the `celeryev` topic exchange, routing key = type with "-" → ".", or
// `task.multi`): the AMQP body itself, with content type/encoding in the message properties.
// A body is one event, or (`task.multi`, Celery ≥ 4 on a worker with an event loop) a list of
// task events. Only the json event serializer (Celery's default) can be read.
import { parseBrokerUrl } from "./control/broker-url";
import { type CeleryEvent, eventsFromBody } from "./events";

export class EventDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EventDecodeError";
  }
}

export interface Decoded {
  events: CeleryEvent[];
  /** Items of the body that were not events (counted, not fatal). */
  invalid: number;
}

function parseBody(raw: Buffer, contentType: unknown, contentEncoding: unknown, where: string): Decoded {
  const type = typeof contentType === "string" ? contentType.toLowerCase() : "application/json";
  if (type !== "application/json") {
    throw new EventDecodeError(`${where}: events serialized as ${type} cannot be read; set event_serializer = "json" (Celery's default)`);
  }
  const enc = typeof contentEncoding === "string" ? contentEncoding.toLowerCase() : "utf-8";
  if (enc !== "utf-8" && enc !== "utf8") throw new EventDecodeError(`${where}: unsupported content-encoding ${enc}`);
  let body: unknown;
  try {
    const text = raw.toString("utf8");
    // PostgreSQL text and jsonb cannot hold NUL (a repr of binary data may): U+FFFD instead.
    body = text.includes("\\u0000") ? JSON.parse(text, (_k, v) => (typeof v === "string" ? v.replaceAll("\0", "\ufffd") : v)) : JSON.parse(text);
  } catch {
    throw new EventDecodeError(`${where}: body is not JSON`);
  }
  return eventsFromBody(body);
}

/** The events in one message of the Redis fanout channel (`payload` as published). */
export function decodeRedisMessage(channel: string, payload: Buffer | string): Decoded {
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(typeof payload === "string" ? payload : payload.toString("utf8"));
  } catch {
    throw new EventDecodeError(`message on ${channel} is not kombu's JSON envelope`);
  }
  if (!envelope || typeof envelope !== "object" || typeof envelope.body !== "string") {
    throw new EventDecodeError(`message on ${channel} has no body`);
  }
  const props = (envelope.properties ?? {}) as Record<string, unknown>;
  const bodyEncoding = typeof props.body_encoding === "string" ? props.body_encoding : null;
  const raw = bodyEncoding === "base64" ? Buffer.from(envelope.body, "base64") : Buffer.from(envelope.body, "utf8");
  return parseBody(raw, envelope["content-type"], envelope["content-encoding"], `message on ${channel}`);
}

/** The events in one AMQP message from the celeryev exchange. */
export function decodeAmqpMessage(routingKey: string, content: Buffer, properties: { contentType?: unknown; contentEncoding?: unknown }): Decoded {
  return parseBody(content, properties.contentType, properties.contentEncoding, `message ${routingKey}`);
}

/** The Redis PSUBSCRIBE pattern of a broker URL's event channels: `/{db}.celeryev/*` (kombu's fanout_prefix and fanout_patterns, both on by default). */
export function redisEventPattern(brokerUrl: string, exchange = "celeryev"): string {
  return `/${parseBrokerUrl(brokerUrl).db}.${exchange}/*`;
}
