// A throwaway PostgreSQL primary and a streaming replica of it, for the read-replica tests: the
// machine's own server has no replication line in pg_hba, so this makes its own clusters in a temp
// directory (initdb with trust auth, which includes `host replication all 127.0.0.1/32 trust`),
// each on a free port, the replica made with `pg_basebackup -R`. The binaries refuse to run as
// root, so they run as the `postgres` OS user. stop() stops both and removes the directory.
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../api/server";

const BIN = process.env.JOBDECK_TEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

function run(cmd: string, args: string[]): void {
  const asPostgres = process.getuid?.() === 0;
  const file = asPostgres ? "runuser" : path.join(BIN, cmd);
  const argv = asPostgres ? ["-u", "postgres", "--", path.join(BIN, cmd), ...args] : args;
  execFileSync(file, argv, { stdio: "pipe", timeout: 60_000 });
}

function postgresOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
  return { uid: id("-u"), gid: id("-g") };
}

export interface ReplicatedClusters {
  primaryUrl: string;
  replicaUrl: string;
  /** A superuser session on the replica (pause or resume its replay). */
  replicaAdmin(sql: string): Promise<unknown[]>;
  stopReplica(): void;
  stop(): void;
}

const OPTIONS = (port: number, dir: string) => `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off`;

/** initdb + start a primary on a free port, create `database`, base-backup a replica and wait until it streams. */
export async function startReplicatedClusters(database: string): Promise<ReplicatedClusters> {
  const dir = mkdtempSync(path.join(tmpdir(), "jobdeck-replica-"));
  const owner = postgresOwner();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const primaryDir = path.join(dir, "primary");
  const replicaDir = path.join(dir, "replica");
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const stopDir = (d: string) => {
    try {
      run("pg_ctl", ["-D", d, "-m", "immediate", "-w", "stop"]);
    } catch {
      // not running
    }
  };
  const stop = () => {
    stopDir(replicaDir);
    stopDir(primaryDir);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run("initdb", ["-D", primaryDir, "-A", "trust", "-U", "postgres", "--no-sync"]);
    run("pg_ctl", ["-D", primaryDir, "-l", path.join(dir, "primary.log"), "-w", "-o", OPTIONS(primaryPort, dir), "start"]);
    const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/${database}`;
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${primaryPort}/postgres` });
    await admin.connect();
    try {
      await admin.query(`create database "${database}"`);
      run("pg_basebackup", ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", replicaDir, "-R", "-c", "fast", "--no-sync"]);
      run("pg_ctl", ["-D", replicaDir, "-l", path.join(dir, "replica.log"), "-w", "-o", OPTIONS(replicaPort, dir), "start"]);
      for (let i = 0; ; i++) {
        const { rows } = await admin.query("select count(*)::int as n from pg_stat_replication where state = 'streaming'");
        if (rows[0].n > 0) break;
        if (i > 100) throw new Error("the replica did not start streaming within 10 s");
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await admin.end();
    }
    const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/${database}`;
    return {
      primaryUrl,
      replicaUrl,
      async replicaAdmin(sql) {
        const c = new pg.Client({ connectionString: replicaUrl });
        await c.connect();
        try {
          return (await c.query(sql)).rows;
        } finally {
          await c.end();
        }
      },
      stopReplica: () => stopDir(replicaDir),
      stop,
    };
  } catch (err) {
    stop();
    throw err;
  }
}
