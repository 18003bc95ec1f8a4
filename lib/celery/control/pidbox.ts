// Celery's remote control, as `celery control` (celery/app/control.py over kombu/pidbox.py)
// sends it: a pidbox message {method, arguments, destination, pattern, matcher} broadcast to
// every worker, each of which acts only if it is in `destination` (or none is given). A call
// that wants answers adds {ticket, reply_to: {exchange: "reply.celery.pidbox", routing_key: oid}}
// and waits a short while for `{hostname: {"ok": …} | {"error": …}}` replies with that ticket,
// so Jobdeck can say "worker X acknowledged" or "no worker replied within 2 s".
import { randomUUID } from "node:crypto";
import { type BrokerAddress, parseBrokerUrl } from "./broker-url";
import { nextClock } from "./envelope";
import { openAmqpBroker } from "./amqp-transport";
import { openRedisBroker } from "./redis-transport";
import type { BrokerClient, PidboxBody } from "./transport";

/** How long a call waits for replies unless told otherwise. */
export const DEFAULT_REPLY_TIMEOUT_MS = 2_000;

export interface ControlReply {
  worker: string;
  /** The worker's "ok" text ("pool will grow", "terminate: <id>"). */
  ok: string | null;
  /** The worker's "error" text (an unknown task name, a pool that cannot grow). */
  error: string | null;
}

export interface ControlResult {
  command: string;
  arguments: Record<string, unknown>;
  /** null: every worker. */
  destination: string[] | null;
  /** false for commands Celery never answers (shutdown). */
  replyExpected: boolean;
  replies: ControlReply[];
  timeoutMs: number;
  /** Redis: how many workers' pidbox consumers received the broadcast (destination filtering is theirs). */
  receivers: number | null;
  /** One sentence for a toast and the audit log. */
  summary: string;
}

export async function openBroker(address: BrokerAddress | string): Promise<BrokerClient> {
  const addr = typeof address === "string" ? parseBrokerUrl(address) : address;
  return addr.transport === "redis" ? openRedisBroker(addr) : openAmqpBroker(addr);
}

/** Runs `fn` with a broker connection of its own, closed afterwards. */
export async function withBroker<T>(address: BrokerAddress | string, fn: (b: BrokerClient) => Promise<T>): Promise<T> {
  const broker = await openBroker(address);
  try {
    return await fn(broker);
  } finally {
    await broker.close();
  }
}

function readReplies(bodies: unknown[]): ControlReply[] {
  const out: ControlReply[] = [];
  for (const body of bodies) {
    if (!body || typeof body !== "object") continue;
    for (const [worker, r] of Object.entries(body as Record<string, unknown>)) {
      const o = r && typeof r === "object" ? (r as Record<string, unknown>) : {};
      const text = (v: unknown) => (v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v));
      const ok = "ok" in o ? text(o.ok) : "error" in o ? null : text(r);
      out.push({ worker, ok, error: text(o.error) });
    }
  }
  return out;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export function describeReplies(r: Pick<ControlResult, "replies" | "replyExpected" | "timeoutMs" | "destination">): string {
  if (!r.replyExpected) return "sent (Celery sends no reply to this command)";
  if (!r.replies.length) return `no worker replied within ${seconds(r.timeoutMs)}${r.destination ? ` (${r.destination.join(", ")} may be offline)` : ""}`;
  return r.replies.map((x) => (x.error !== null ? `worker ${x.worker} refused: ${x.error}` : `worker ${x.worker} acknowledged${x.ok ? `: ${x.ok}` : ""}`)).join("; ");
}

export interface BroadcastOptions {
  /** Worker hostnames (celery@host); null or absent: every worker. */
  destination?: readonly string[] | null;
  /** Wait for replies (default true). */
  reply?: boolean;
  timeoutMs?: number;
}

/** Sends one pidbox command and, unless `reply` is false, collects the replies. */
export async function broadcast(broker: BrokerClient, command: string, args: Record<string, unknown>, opts: BroadcastOptions = {}): Promise<ControlResult> {
  const destination = opts.destination?.length ? [...opts.destination] : null;
  const replyExpected = opts.reply !== false;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
  const reply = replyExpected ? { oid: randomUUID(), ticket: randomUUID() } : undefined;
  const body: PidboxBody = {
    method: command,
    arguments: args,
    destination,
    pattern: null,
    matcher: null,
    ...(reply ? { ticket: reply.ticket, reply_to: { exchange: "reply.celery.pidbox", routing_key: reply.oid } } : {}),
  };
  const headers = { clock: nextClock(), expires: Date.now() / 1000 + timeoutMs / 1000 };
  // Replies are awaited until every destination answered, or the timeout for a broadcast to all.
  const out = await broker.broadcast(body, headers, { reply, timeoutMs, limit: destination ? destination.length : null });
  const result = { command, arguments: args, destination, replyExpected, replies: readReplies(out.replies), timeoutMs, receivers: out.receivers };
  return { ...result, summary: describeReplies(result) };
}
