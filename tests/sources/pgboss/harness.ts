// A real pg-boss (10.4.2 or 12.38.0) for the pg-boss source's tests: installs its schema in a
// database by starting it normally, sends jobs, and runs its own worker, whose handler fails
// jobs whose data says so until the test "fixes" them.
import PgBoss10 from "pg-boss";
import { PgBoss as PgBoss12 } from "pg-boss-v12";
import pg from "pg";

export type Major = 10 | 12;

export interface Boss {
  start(): Promise<unknown>;
  stop(o?: { graceful?: boolean; timeout?: number }): Promise<void>;
  createQueue(name: string, o?: Record<string, unknown>): Promise<void>;
  send(name: string, data: object, o?: Record<string, unknown>): Promise<string | null>;
  insert(...args: unknown[]): Promise<unknown>;
  work(name: string, o: Record<string, unknown>, fn: (jobs: { id: string; data: Record<string, unknown> }[]) => Promise<unknown>): Promise<string>;
  fetch(name: string, o?: Record<string, unknown>): Promise<{ id: string }[] | null>;
  archive?(): Promise<void>;
  on(e: string, fn: (e: unknown) => void): unknown;
}

export function makeBoss(major: Major, url: string): Boss {
  const config = { connectionString: url, supervise: false, schedule: false, max: 3 };
  // 10.x: completed jobs archive after 1 s (when archive() is called), so the archive table is exercised.
  const boss = (
    major === 10 ? new PgBoss10({ ...config, archiveCompletedAfterSeconds: 1, archiveFailedAfterSeconds: 86_400 }) : new PgBoss12({ ...config, instanceHeartbeatSeconds: 1 })
  ) as unknown as Boss;
  boss.on("error", (e) => console.error(`pg-boss ${major} error:`, (e as Error).message));
  return boss;
}

/** The handler's switch: while on, jobs whose data has `fail: true` throw. */
export const failing = { on: true };

export async function startWorker(boss: Boss, queue: string): Promise<void> {
  await boss.work(queue, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async ([job]) => {
    if (failing.on && job.data.fail) throw new Error(`boom: ${String(job.data.label)} failed\nsecond line of the message`);
    return { done: job.data.label };
  });
}

export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
