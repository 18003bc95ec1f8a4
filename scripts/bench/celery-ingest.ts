// Celery event ingestion: `npm run bench:celery` (node bin/run-ts.mjs scripts/bench/celery-ingest.ts)
//
// A burst of 50,000 task events (--tasks=12500: task-sent, task-received, task-started and
// task-succeeded each) is published into a redis-server of our own as Celery sends them: task-sent
// one message each from the client (`/0.celeryev/task.sent`), the worker's events in `task.multi`
// batches of 1-24 (its buffer limit) from 4 workers, plus their heartbeats. A child process
// publishes (so the publisher does not share the bridge's CPU); the bridge runs in this process,
// as it does inside the app server, writing into a fresh local database jobdeck_bench_celery
// (dropped afterwards unless --keep). Meanwhile a probe times a simple control-database read (the
// first page of the task list) every 100 ms, as a page would during the burst. Prints events/s
// (first publish → last event committed) and the probe's p50/p95/max.
// Flags: --tasks=N --batch=N (events per transaction, default 1000 as the bridge) --keep
import { fork } from "node:child_process";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Redis } from "ioredis";
import pg from "pg";
import { openDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";
import { startCeleryBridge } from "../../lib/celery/bridge";
import { startRedis } from "../../tests/helpers/celery";

const arg = (name: string, dflt: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt;
const TASKS = Number(arg("tasks", "12500"));
const BATCH = Number(arg("batch", "1000"));
const KEEP = process.argv.includes("--keep");
const SERVER = process.env.JOBDECK_BENCH_CELERY_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const WORKERS = ["bench1@host", "bench2@host", "bench3@host", "bench4@host"];

/** kombu's Redis envelope around a JSON body, as the worker publishes it. */
function envelope(routingKey: string, body: unknown, hostname: string): string {
  return JSON.stringify({
    body: Buffer.from(JSON.stringify(body)).toString("base64"),
    "content-encoding": "utf-8",
    "content-type": "application/json",
    headers: { hostname },
    properties: { delivery_mode: 1, delivery_info: { exchange: "celeryev", routing_key: routingKey }, priority: 0, body_encoding: "base64", delivery_tag: crypto.randomUUID() },
  });
}

/** The burst: [channel, payload] in the order Celery would publish them. */
function burst(tasks: number): [string, string][] {
  const out: [string, string][] = [];
  const t0 = Date.now() / 1000 - 60;
  const buffers = new Map<string, Record<string, unknown>[]>(WORKERS.map((w) => [w, []]));
  const limits = new Map(WORKERS.map((w) => [w, 1 + Math.floor(Math.random() * 24)]));
  let clock = 1;
  const flush = (w: string) => {
    const buf = buffers.get(w)!;
    if (buf.length) out.push(["/0.celeryev/task.multi", envelope("task.multi", buf.splice(0), w)]);
    limits.set(w, 1 + Math.floor(Math.random() * 24));
  };
  for (let i = 0; i < tasks; i++) {
    const uuid = crypto.randomUUID();
    const ts = t0 + i * 0.004;
    const args = `[${i}, ${i % 97}]`;
    const base = { utcoffset: 0, uuid };
    out.push(["/0.celeryev/task.sent", envelope("task.sent", { hostname: "gen1@client", pid: 1, clock: clock++, ...base, root_id: uuid, parent_id: null, name: "bench.add", args, kwargs: "{}", retries: 0, eta: null, expires: null, queue: "celery", exchange: "", routing_key: "celery", timestamp: ts, type: "task-sent" }, "gen1@client")]);
    const w = WORKERS[i % WORKERS.length];
    const ev = (type: string, dt: number, extra: Record<string, unknown> = {}) => ({ hostname: w, pid: 100, clock: clock++, ...base, ...extra, timestamp: ts + dt, type });
    const buf = buffers.get(w)!;
    buf.push(ev("task-received", 0.001, { name: "bench.add", args, kwargs: "{}", root_id: uuid, parent_id: null, retries: 0, eta: null, expires: null }));
    buf.push(ev("task-started", 0.002));
    buf.push(ev("task-succeeded", 0.003, { result: String(i + (i % 97)), runtime: 0.0009 }));
    if (buf.length >= limits.get(w)!) flush(w);
    if (i % 500 === 0) for (const host of WORKERS) out.push([`/0.celeryev/worker.heartbeat`, envelope("worker.heartbeat", { hostname: host, utcoffset: 0, pid: 100, clock: clock++, freq: 2.0, active: 1, processed: i, loadavg: [1, 1, 1], sw_ident: "py-celery", sw_ver: "5.2.6", sw_sys: "Linux", timestamp: ts, type: "worker-heartbeat" }, host)]);
  }
  for (const w of WORKERS) flush(w);
  return out;
}

/** Child: publishes the burst as fast as Redis takes it, then reports how many events it carried. */
async function publisher(port: number): Promise<void> {
  const messages = burst(TASKS);
  const redis = new Redis({ port, host: "127.0.0.1" });
  process.send!({ ready: true });
  await new Promise<void>((r) => process.once("message", () => r()));
  const started = Date.now();
  for (let i = 0; i < messages.length; i += 1_000) {
    const p = redis.pipeline();
    for (const [channel, payload] of messages.slice(i, i + 1_000)) p.publish(channel, payload);
    await p.exec();
  }
  process.send!({ published: messages.length, ms: Date.now() - started, startedAt: started });
  await redis.quit();
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const admin = async (text: string) => {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
};

async function main(): Promise<void> {
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(new URL(SERVER).hostname)) throw new Error("the celery bench runs on a local server only");
  const dbName = "jobdeck_bench_celery";
  await admin(`drop database if exists ${dbName} with (force)`);
  await admin(`create database ${dbName}`);
  const url = Object.assign(new URL(SERVER), { pathname: `/${dbName}` }).toString();
  const db = await openDatabase({ databaseUrl: url, max: 10, applicationName: "jobdeck-bench" });
  await migrate(db);
  const redis = await startRedis();
  const config = { name: "bench", kind: "celery" as const, broker: redis.url(0), resultBackend: null, readOnly: false };
  const bridge = startCeleryBridge({ config, db, databaseUrl: url, log: () => {}, batchSize: BATCH });
  try {
    while (!bridge.stats().connected) await new Promise((r) => setTimeout(r, 50));
    const child = fork(path.resolve("bin/run-ts.mjs"), [process.argv[1], "--publisher", String(redis.port), `--tasks=${TASKS}`]);
    const msg = (pred: (m: Record<string, unknown>) => boolean) => new Promise<Record<string, unknown>>((r) => child.on("message", (m: Record<string, unknown>) => pred(m) && r(m)));
    await msg((m) => m.ready === true);
    const expected = TASKS * 4 + WORKERS.length * Math.ceil(TASKS / 500);
    const probes: number[] = [];
    const probe = setInterval(() => {
      const t = performance.now();
      void db.query("select task_id, name, state, worker, started_at from celery_tasks where source = 'bench' order by seq desc limit 50").then(() => probes.push(performance.now() - t));
    }, 100);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const published = msg((m) => typeof m.published === "number");
    child.send("go");
    const pub = await published;
    while (bridge.stats().written < expected) await new Promise((r) => setTimeout(r, 20));
    const seconds = (Date.now() - (pub.startedAt as number)) / 1000;
    clearInterval(probe);
    loop.disable();
    const [{ events }] = await db.query<{ events: number }>("select count(*)::int as events from celery_task_events where source = 'bench'");
    const [{ done }] = await db.query<{ done: number }>("select count(*)::int as done from celery_tasks where source = 'bench' and state = 'SUCCESS' and args_json is not null");
    console.log(`published ${TASKS * 4} task events (+${expected - TASKS * 4} heartbeats) in ${pub.published} messages in ${((pub.ms as number) / 1000).toFixed(2)} s`);
    console.log(`ingested ${events} task events (${done} tasks SUCCESS) in ${seconds.toFixed(2)} s: ${Math.round((TASKS * 4) / seconds).toLocaleString("en-US")} task events/s (batches of up to ${BATCH})`);
    console.log(`probe (first page of tasks every 100 ms, ${probes.length} reads): p50 ${pct(probes, 50).toFixed(1)} ms, p95 ${pct(probes, 95).toFixed(1)} ms, max ${Math.max(...probes).toFixed(1)} ms`);
    console.log(`event loop delay meanwhile: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`);
    if (events !== TASKS * 4 || done !== TASKS) process.exitCode = 1;
  } finally {
    await bridge.stop();
    await db.close();
    await redis.dispose();
    if (!KEEP) await admin(`drop database if exists ${dbName} with (force)`);
  }
}

const pubIndex = process.argv.indexOf("--publisher");
if (pubIndex > 0) await publisher(Number(process.argv[pubIndex + 1]));
else await main();
