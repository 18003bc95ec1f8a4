// Backfill from Celery's database result backend (SQLAlchemy's celery_taskmeta), when a source
// names one (`resultBackend`): finished tasks the bridge missed (it was not listening) get their
// row, and every finished task gets its real args/kwargs when the backend stored them
// (result_extended = True) in a form we can read: that is what makes an exact retry possible.
// The backend is a guest: its own one-connection pool, read-only sessions, a statement timeout,
// no DDL, bounded reads (the newest N, then only what finished since).
// What we read: task_id, status, date_done (naive UTC), traceback, and with result_extended name,
// args, kwargs (bytea, encoded with result_serializer: JSON by default; pickled ones are skipped),
// worker, retries, queue. `result` is a SQLAlchemy PickleType column (always pickled): never
// unpickled here, so the result shown stays the repr from the task-succeeded event.
import type { Pool } from "pg";
import type { Database } from "../../db/client";
import { FINISHED_STATES, STATE_RANK } from "./events";
import type { TaskDelta } from "./fold";
import type { JsonValue } from "./python-literal";
import { upsertTasks } from "./record-tasks";

export interface BackfillResult {
  read: number;
  recorded: number;
  /** Why some values could not be used, with counts ("args not JSON (pickled?)": 3). */
  skipped: Record<string, number>;
  /** date_done of the newest row read: the next call reads only after it. */
  cursor: Date | null;
}

export interface ResultBackend {
  /** Reads finished tasks after `since` (or the newest `limit` when null) and merges them in. */
  backfill(db: Database, source: string, since: Date | null, limit?: number): Promise<BackfillResult>;
  close(): Promise<void>;
}

interface MetaRow {
  task_id: string;
  status: string;
  date_done: Date;
  traceback: string | null;
  name?: string | null;
  args?: Buffer | null;
  kwargs?: Buffer | null;
  worker?: string | null;
  retries?: number | null;
  queue?: string | null;
}

const EXTENDED = ["name", "args", "kwargs", "worker", "retries", "queue"];

/**
 * A number JSON text holds that JavaScript cannot give back as Python wrote it: 1.0 (a float that
 * would come back as the int 1) or an int beyond 2^53. Strings are skipped over.
 */
function hasAmbiguousNumber(text: string): boolean {
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(\.\d+)?([eE][+-]?\d+)?/g)) {
    if (m[0].startsWith('"')) continue;
    const n = Number(m[0]);
    if (m[1] !== undefined || m[2] !== undefined ? Number.isInteger(n) : !Number.isSafeInteger(n)) return true;
  }
  return false;
}

/** JSON bytes → value, or undefined (pickled, another serializer, not JSON, or numbers we cannot keep exact). */
function jsonBytes(b: Buffer | null | undefined): JsonValue | undefined {
  if (!b || b.length === 0 || b[0] === 0x80) return undefined; // 0x80: a pickle's PROTO opcode
  const text = b.toString("utf8");
  try {
    const value = JSON.parse(text) as JsonValue;
    return hasAmbiguousNumber(text) ? undefined : value;
  } catch {
    return undefined;
  }
}

export async function openResultBackend(url: string, source: string, statementTimeoutMs = 5_000): Promise<ResultBackend> {
  const { default: pg } = await import("pg");
  const pool: Pool = new pg.Pool({
    connectionString: url,
    max: 1,
    application_name: `jobdeck-celery-backfill:${source}`.slice(0, 63),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    options: `-c statement_timeout=${statementTimeoutMs} -c default_transaction_read_only=on -c lock_timeout=2000`,
  });
  pool.on("error", () => {});
  let columns: Set<string> | null = null;
  return {
    async backfill(db, sourceName, since, limit = 1_000) {
      if (!columns) {
        const { rows } = await pool.query<{ column_name: string }>(
          "select column_name from information_schema.columns where table_name = 'celery_taskmeta' and table_schema = any(current_schemas(false))",
        );
        if (!rows.length) throw new Error("the result backend has no celery_taskmeta table (yet)");
        columns = new Set(rows.map((r) => r.column_name));
      }
      const extended = EXTENDED.filter((c) => columns!.has(c));
      const select = ["task_id", "status", "(date_done at time zone 'UTC') as date_done", "traceback", ...extended].join(", ");
      const where = `date_done is not null and status in ('SUCCESS', 'FAILURE', 'REVOKED')${since ? " and date_done > ($1::timestamptz at time zone 'UTC')" : ""}`;
      const { rows } = await pool.query<MetaRow>(
        `select ${select} from celery_taskmeta where ${where} order by date_done desc limit ${Math.max(1, Math.min(limit, 10_000))}`,
        since ? [since] : [],
      );
      const skipped: Record<string, number> = {};
      const skip = (why: string) => (skipped[why] = (skipped[why] ?? 0) + 1);
      const deltas: TaskDelta[] = rows.map((r) => {
        const args = jsonBytes(r.args);
        const kwargs = jsonBytes(r.kwargs);
        if (r.args && !Array.isArray(args)) skip("args not readable as exact JSON (pickled, another result_serializer, or floats like 1.0)");
        if (r.kwargs && (kwargs === undefined || kwargs === null || typeof kwargs !== "object" || Array.isArray(kwargs))) skip("kwargs not readable as exact JSON (pickled, another result_serializer, or floats like 1.0)");
        const at = r.date_done.getTime() / 1000;
        return {
          task_id: r.task_id, name: r.name ?? null, args: null, kwargs: null,
          args_json: Array.isArray(args) ? args : null,
          kwargs_json: kwargs && typeof kwargs === "object" && !Array.isArray(kwargs) ? kwargs : null,
          result: null, exception: null, traceback: r.traceback ?? null, worker: r.worker ?? null, queue: r.queue ?? null,
          retries: typeof r.retries === "number" ? r.retries : null, eta: null, eta_retries: -1, expires: null, root_id: null, parent_id: null,
          received_at: null, started_at: null, runtime: null, signal: null,
          state: r.status, state_at: at, state_fin: FINISHED_STATES.has(r.status), state_rank: STATE_RANK.indexOf(r.status),
        };
      });
      if (deltas.length) await db.tx((q) => upsertTasks(q, sourceName, deltas));
      return { read: rows.length, recorded: deltas.length, skipped, cursor: rows[0]?.date_done ?? since };
    },
    close: () => pool.end(),
  };
}
