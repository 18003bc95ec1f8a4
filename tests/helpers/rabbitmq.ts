// A RabbitMQ of our own for the Celery AMQP tests: Debian's rabbitmq-server (installed by
// scripts/test-all.sh) as a node with its own name, ports, data directory and no plugins, in a
// process group of its own so stopping it stops its Erlang VM too. `guest` may connect from
// localhost, which is all these tests need.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitFor } from "./celery";

const SERVER = process.env.JOBDECK_RABBITMQ_SERVER ?? "/usr/lib/rabbitmq/bin/rabbitmq-server";

export interface RabbitServer {
  port: number;
  /** amqp://guest:guest@127.0.0.1:PORT// */
  url: string;
  dispose(): Promise<void>;
}

export async function startRabbit(): Promise<RabbitServer> {
  const [port, dist] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-rabbit-"));
  writeFileSync(path.join(dir, "enabled_plugins"), "[].\n");
  const child: ChildProcess = spawn(SERVER, [], {
    cwd: dir,
    detached: true,
    stdio: "ignore",
    env: {
      ...process.env,
      HOME: dir,
      RABBITMQ_NODENAME: `jobdeck${port}@localhost`,
      RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(dist),
      RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
      RABBITMQ_LOG_BASE: path.join(dir, "log"),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, "enabled_plugins"),
      RABBITMQ_CONFIG_FILE: path.join(dir, "rabbitmq"),
      RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, "advanced.config"),
      RABBITMQ_CONF_ENV_FILE: path.join(dir, "rabbitmq-env.conf"),
    },
  });
  const exited = new Promise((r) => child.once("exit", r));
  const url = `amqp://guest:guest@127.0.0.1:${port}//`;
  const up = async () => {
    const amqp = await import("amqplib");
    try {
      await (await amqp.connect(url, { timeout: 1_000 })).close();
      return true;
    } catch {
      return child.exitCode !== null;
    }
  };
  await waitFor(up, `rabbitmq-server on ${port}`, 90_000);
  if (child.exitCode !== null) throw new Error(`rabbitmq-server exited with ${child.exitCode}`);
  return {
    port,
    url,
    async dispose() {
      // The whole group: the start script and the Erlang VM it runs.
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
