// What remote control needs from a broker, whatever it is: publish a pidbox broadcast (Celery's
// `celery.pidbox` fanout exchange) and collect the replies workers send to a reply queue of our
// own, put a task message on a task queue, and answer a ping. One implementation per transport:
// ./redis-transport (kombu's Redis emulation of exchanges) and ./amqp-transport (RabbitMQ).
import type { KombuMessage } from "./envelope";

/** Celery's default control exchange (app.conf.control_exchange = "celery"). */
export const CONTROL_NAMESPACE = "celery";
export const PIDBOX_EXCHANGE = `${CONTROL_NAMESPACE}.pidbox`;
export const REPLY_EXCHANGE = `reply.${CONTROL_NAMESPACE}.pidbox`;

export interface PidboxBody {
  method: string;
  arguments: Record<string, unknown>;
  /** Worker hostnames; null = every worker. */
  destination: string[] | null;
  pattern: null;
  matcher: null;
  ticket?: string;
  reply_to?: { exchange: string; routing_key: string };
}

export interface CollectOptions {
  /** Our reply queue's routing key (kombu's oid) and the call's ticket; absent = no reply wanted (a cast). */
  reply?: { oid: string; ticket: string };
  timeoutMs: number;
  /** Stop once this many replies came (the number of destinations); null = wait the whole timeout. */
  limit: number | null;
}

export interface PublishOutcome {
  /** Bodies of the replies that carry our ticket, in arrival order (each `{hostname: reply}`). */
  replies: unknown[];
  /** Redis only: how many subscribers the PUBLISH reached (every listening worker, whatever the destination). */
  receivers: number | null;
}

export interface BrokerClient {
  /** Throws when the broker does not answer. */
  ping(): Promise<void>;
  broadcast(body: PidboxBody, headers: Record<string, unknown>, opts: CollectOptions): Promise<PublishOutcome>;
  /** Puts a task message on `queue`, as a producer of that queue would. */
  sendTask(queue: string, message: KombuMessage): Promise<void>;
  close(): Promise<void>;
}

/** Each poll of the reply queue waits at most this long, so a deadline is kept closely. */
export const REPLY_POLL_MS = 250;
