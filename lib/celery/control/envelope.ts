// Kombu's message envelope, as kombu's virtual transports (Redis) store and publish it: the body
// serialized as JSON and then base64-encoded, with content type, encoding, headers and
// properties beside it. Written to match what `celery control` and `send_task` put on a Redis
// broker byte for byte in meaning (captured with MONITOR against Celery 5.2 / kombu 5.2):
//   {"body": "<base64 of JSON>", "content-encoding": "utf-8", "content-type": "application/json",
//    "headers": {...}, "properties": {..., "delivery_mode": 2, "delivery_info": {"exchange": "celery.pidbox",
//    "routing_key": ""}, "priority": 0, "body_encoding": "base64", "delivery_tag": "<uuid>"}}
// AMQP carries the same body unencoded and the rest as AMQP properties (./amqp-transport).
import { randomUUID } from "node:crypto";

export const CONTENT_TYPE = "application/json";
export const CONTENT_ENCODING = "utf-8";

export interface KombuMessage {
  body: unknown;
  /** The body's JSON text when it must be sent exactly as stored (numbers like 1.0 or 2**60 survive no JS round trip). */
  bodyJson?: string;
  headers: Record<string, unknown>;
  /** AMQP-style properties (correlation_id, reply_to, ...) besides delivery mode and priority. */
  properties?: Record<string, unknown>;
  deliveryMode: 1 | 2;
  exchange: string;
  routingKey: string;
}

/** The JSON text kombu's Redis transport LPUSHes or PUBLISHes for `m`. */
export function redisEnvelope(m: KombuMessage): string {
  return JSON.stringify({
    body: Buffer.from(bodyText(m), "utf8").toString("base64"),
    "content-encoding": CONTENT_ENCODING,
    "content-type": CONTENT_TYPE,
    headers: m.headers,
    properties: {
      ...m.properties,
      delivery_mode: m.deliveryMode,
      delivery_info: { exchange: m.exchange, routing_key: m.routingKey },
      priority: 0,
      body_encoding: "base64",
      delivery_tag: randomUUID(),
    },
  });
}

/** The serialized body of `m`. */
export function bodyText(m: KombuMessage): string {
  return m.bodyJson ?? JSON.stringify(m.body);
}

export interface DecodedMessage {
  body: unknown;
  headers: Record<string, unknown>;
}

/** A message read back from a Redis list (a pidbox reply): its body and headers; null when it is not kombu's. */
export function decodeRedisEnvelope(text: string): DecodedMessage | null {
  try {
    const env = JSON.parse(text) as { body?: unknown; headers?: Record<string, unknown>; properties?: { body_encoding?: string } };
    if (typeof env.body !== "string") return null;
    const raw = env.properties?.body_encoding === "base64" ? Buffer.from(env.body, "base64").toString("utf8") : env.body;
    return { body: JSON.parse(raw), headers: env.headers ?? {} };
  } catch {
    return null;
  }
}

let clock = 0;
/** Kombu's Lamport clock for the messages this process sends (workers only move theirs forward). */
export function nextClock(): number {
  clock += 1;
  return clock;
}
