// A Celery broker URL, read once: which transport (Redis or AMQP), where (host, port and Redis
// database or AMQP virtual host — never the user or password, which the URL may carry), and the
// Redis database number kombu puts in front of its fanout channels (`/{db}.celery.pidbox`).
export type BrokerTransport = "redis" | "amqp";

export interface BrokerAddress {
  transport: BrokerTransport;
  /** The URL as configured (a secret: never logged, never shown). */
  url: string;
  /** `redis 127.0.0.1:6379/0` or `amqp rabbit:5672/vhost`: safe to show. */
  location: string;
  /** Redis database number (kombu's fanout prefix); 0 for AMQP. */
  db: number;
}

export class BrokerUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BrokerUrlError";
  }
}

export function parseBrokerUrl(url: string): BrokerAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new BrokerUrlError("the broker is not a URL (redis://host:6379/0 or amqp://host:5672//)");
  }
  const scheme = u.protocol.replace(/:$/, "");
  if (scheme === "redis" || scheme === "rediss") {
    // As kombu reads it: the path (`/3`), else `?db=3`, else 0.
    const path = u.pathname.replace(/^\//, "") || (u.searchParams.get("db") ?? "");
    if (path !== "" && !/^\d{1,2}$/.test(path)) throw new BrokerUrlError(`the Redis broker's database must be a number (got "${path.slice(0, 20)}")`);
    const db = path === "" ? 0 : Number(path);
    return { transport: "redis", url, db, location: `${scheme} ${u.hostname}:${u.port || 6379}/${db}` };
  }
  if (scheme === "amqp" || scheme === "amqps") {
    // kombu: amqp://host// is the default virtual host "/".
    const vhost = decodeURIComponent(u.pathname.replace(/^\//, "")) || "/";
    return { transport: "amqp", url, db: 0, location: `${scheme} ${u.hostname}:${u.port || (scheme === "amqps" ? 5671 : 5672)} vhost ${vhost}` };
  }
  throw new BrokerUrlError(`the broker must be redis://, rediss://, amqp:// or amqps:// (got ${scheme}://)`);
}

/** The first line of a broker error, without anything that looks like a URL (it may carry a password). */
export function brokerErrorText(err: unknown): string {
  return String((err as Error)?.message ?? err)
    .split("\n")[0]
    .replace(/(redis|rediss|amqp|amqps):\/\/\S+/gi, "$1://…")
    .slice(0, 300);
}
