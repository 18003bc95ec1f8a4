// What the workers say, straight from the broker, for tests that must see a worker's own word
// (task-revoked with terminated, task-succeeded of a re-sent task) without the bridge: a
// PSUBSCRIBE on kombu's `/{db}.celeryev/*` fanout channels, each message's base64 JSON body
// decoded (task.multi carries a list of task events).
import { Redis } from "ioredis";

export interface CeleryEvent {
  type: string;
  uuid?: string;
  hostname?: string;
  [field: string]: unknown;
}

export interface EventWatch {
  events: CeleryEvent[];
  /** The first event matching `pred` (already seen or still to come), or a timeout naming `what`. */
  waitFor(what: string, pred: (e: CeleryEvent) => boolean, timeoutMs?: number): Promise<CeleryEvent>;
  close(): Promise<void>;
}

export async function watchCeleryEvents(redisUrl: string): Promise<EventWatch> {
  const db = Number(new URL(redisUrl).pathname.slice(1) || 0);
  const sub = new Redis(redisUrl);
  const events: CeleryEvent[] = [];
  sub.on("pmessage", (_pattern: string, _channel: string, message: string) => {
    try {
      const env = JSON.parse(message) as { body: string; properties?: { body_encoding?: string } };
      const raw = env.properties?.body_encoding === "base64" ? Buffer.from(env.body, "base64").toString("utf8") : env.body;
      const body = JSON.parse(raw) as CeleryEvent | CeleryEvent[];
      events.push(...(Array.isArray(body) ? body : [body]));
    } catch {
      // not an event
    }
  });
  await sub.psubscribe(`/${db}.celeryev/*`);
  return {
    events,
    async waitFor(what, pred, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const e = events.find(pred);
        if (e) return e;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; saw ${events.map((x) => `${x.type}:${x.uuid ?? x.hostname}`).slice(-20).join(", ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await sub.quit().catch(() => sub.disconnect());
    },
  };
}
