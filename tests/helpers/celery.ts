// Real brokers and a real Celery worker for the Celery tests: a redis-server on a free port with
// its own data directory, and `/usr/bin/python3 -m celery` (Debian's celery; the python3 on the
// PATH may be a pyenv interpreter without it) running tests/fixtures/celery with events on.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../api/server";

export const PYTHON = process.env.JOBDECK_CELERY_PYTHON ?? "/usr/bin/python3";
const FIXTURE_DIR = path.resolve(import.meta.dirname, "../fixtures/celery");

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = net.connect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  });

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:PORT/DB */
  url(db?: number): string;
  stop(): Promise<void>;
  /** Starts it again on the same port (a broker restart). */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
}

/** A redis-server of our own on a free port (no persistence). */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-redis-"));
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
    await waitFor(() => portOpen(port), `redis-server on ${port}`);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    start,
    async stop() {
      await stop();
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CeleryWorker {
  hostname: string;
  process: ChildProcess;
  output(): string;
  /** SIGKILL: the worker dies without a worker-offline event, tasks in flight. */
  kill(): Promise<void>;
  /** SIGTERM: a warm shutdown (worker-offline sent). */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  broker: string;
  backend?: string;
  /** Unique per test: celery@<name>. */
  name: string;
  concurrency?: number;
  /** Heartbeat interval in seconds (worker --heartbeat-interval). */
  heartbeat?: number;
  pool?: "prefork" | "threads" | "solo";
}

/** A real Celery worker with events on (-E), ready once it says so. */
export async function startCeleryWorker(opts: WorkerOptions): Promise<CeleryWorker> {
  const hostname = `${opts.name}@${os.hostname()}`;
  const args = ["-m", "celery", "-A", "jobdeck_celery_fixture", "worker", "-E", "-n", hostname, "-c", String(opts.concurrency ?? 2), "-P", opts.pool ?? "threads", "--without-gossip", "--without-mingle", "-l", "INFO"];
  if (opts.heartbeat) args.push("--heartbeat-interval", String(opts.heartbeat));
  const child = spawn(PYTHON, args, {
    cwd: FIXTURE_DIR,
    env: { ...process.env, PYTHONPATH: FIXTURE_DIR, JOBDECK_CELERY_BROKER: opts.broker, JOBDECK_CELERY_BACKEND: opts.backend ?? "", PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  await waitFor(() => /\bready\.?/.test(log) || child.exitCode !== null, `celery worker ${hostname}`, 60_000);
  if (child.exitCode !== null) throw new Error(`celery worker exited: ${log}`);
  const ended = new Promise((r) => child.once("exit", r));
  return {
    hostname,
    process: child,
    output: () => log,
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await ended;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.race([ended, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      await ended;
    },
  };
}

/** Sends tasks with Celery's own client (apply_async): JSON lines of {name, args, kwargs, countdown?} → task ids. */
export function sendTasks(broker: string, tasks: { name: string; args?: unknown[]; kwargs?: Record<string, unknown>; countdown?: number; taskId?: string }[], backend?: string): string[] {
  const script = `
import json, sys
from jobdeck_celery_fixture import app
ids = []
for line in sys.stdin:
    t = json.loads(line)
    r = app.send_task(t["name"], args=t.get("args") or [], kwargs=t.get("kwargs") or {}, countdown=t.get("countdown"), task_id=t.get("taskId"))
    ids.append(r.id)
print(json.dumps(ids))
`;
  const r = spawnSync(PYTHON, ["-c", script], {
    cwd: FIXTURE_DIR,
    env: { ...process.env, PYTHONPATH: FIXTURE_DIR, JOBDECK_CELERY_BROKER: broker, JOBDECK_CELERY_BACKEND: backend ?? "" },
    input: tasks.map((t) => JSON.stringify(t)).join("\n") + "\n",
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`send_task failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

export { freePort, waitFor };

export interface RabbitMQServer {
  port: number;
  /** amqp://guest:guest@127.0.0.1:PORT// (the default vhost) */
  url: string;
  nodename: string;
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data (a broker restart). */
  start(): Promise<void>;
  /** Stops it for good, ends its epmd and removes its directory. */
  dispose(): Promise<void>;
}

const RABBIT_BIN = "/usr/lib/rabbitmq/bin";

/**
 * A private RabbitMQ node of our own: free AMQP, distribution and epmd ports, its own cookie
 * (HOME), config, data and logs in a temporary directory, so it never meets the system's node.
 * Runs as the current user through /usr/lib/rabbitmq/bin (Debian's /usr/sbin wrappers switch to
 * the rabbitmq user); booting takes a few seconds.
 */
export async function startRabbitMQ(): Promise<RabbitMQServer> {
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-rabbit-"));
  const nodename = `jobdeck${port}@localhost`;
  writeFileSync(path.join(dir, "rabbitmq.conf"), `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users = none\n`);
  writeFileSync(path.join(dir, "rabbitmq-env.conf"), "");
  writeFileSync(path.join(dir, "enabled_plugins"), "[].\n");
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_CONF_ENV_FILE: path.join(dir, "rabbitmq-env.conf"),
    RABBITMQ_CONFIG_FILE: path.join(dir, "rabbitmq.conf"),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, "enabled_plugins"),
    RABBITMQ_NODENAME: nodename,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: "127.0.0.1",
    RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: path.join(dir, "log"),
    RABBITMQ_PID_FILE: path.join(dir, "rabbit.pid"),
    RABBITMQ_FEATURE_FLAGS_FILE: path.join(dir, "feature_flags"),
    RABBITMQ_LOGS: path.join(dir, "log", "rabbit.log"),
  };
  let child: ChildProcess | null = null;
  let log = "";
  const start = async () => {
    const c = spawn(path.join(RABBIT_BIN, "rabbitmq-server"), [], { env, stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    c.stdout?.on("data", (d) => (log += d));
    c.stderr?.on("data", (d) => (log += d));
    await waitFor(async () => c.exitCode !== null || (await portOpen(port)), `rabbitmq-server on ${port}`, 120_000);
    if (c.exitCode !== null) throw new Error(`rabbitmq-server exited (${c.exitCode}): ${log.slice(-2000)}`);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    spawnSync(path.join(RABBIT_BIN, "rabbitmqctl"), ["-n", nodename, "stop"], { env, timeout: 60_000, stdio: "ignore" });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (c.exitCode === null) {
      c.kill("SIGKILL");
      await exited;
    }
  };
  await start();
  return {
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}//`,
    nodename,
    start,
    stop,
    async dispose() {
      await stop();
      // Our private epmd (started by the node on ERL_EPMD_PORT) goes too.
      spawnSync("epmd", ["-kill"], { env, timeout: 10_000, stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
