// What the CLI commands share: the database handle (migrated at start-up), the audit actor,
// stdin for pipes, id parsing, and output helpers (thousands separators for people, clean
// lines for machines; job data in tables made printable by lib/cli/text).
import os from "node:os";
import { type Database, openDatabase } from "../../../db/client";
import { migrate } from "../../../db/migrate";
import type { Actor } from "../../audit/record";
import { QueueError } from "../../queue/state-machine";
import { CliError, EXIT_FAILURE, EXIT_USAGE, usageError } from "../errors";
import { printable } from "../text";

/** Opens the database, applies pending migrations, runs `fn`, and always closes the pool. */
export async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ max: 2, applicationName: "jobdeck-cli" });
  try {
    await migrate(db);
    return await fn(db);
  } catch (err) {
    throw toCliError(err);
  } finally {
    await db.close();
  }
}

/** Queue errors keep their message; bad input is a usage error (2), the rest a failure (1). */
export function toCliError(err: unknown): unknown {
  if (err instanceof QueueError) {
    return new CliError(err.message, err.code === "invalid_input" ? EXIT_USAGE : EXIT_FAILURE);
  }
  return err;
}

/** `cli:<user>@<host>`, the actor of every audit row the CLI writes. */
export function cliActor(): Actor {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry for this uid (some containers)
    user = process.env.USER || process.env.LOGNAME || `uid${process.getuid?.() ?? "?"}`;
  }
  return { name: `cli:${user}@${os.hostname()}`, roles: ["cli"] };
}

export function stdinIsPiped(): boolean {
  return !process.stdin.isTTY;
}

/** All of stdin as lines (without line ends); call only when stdin is not a terminal. */
export async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** `1,204` */
export const num = (n: number) => n.toLocaleString("en-US");

/** "1 job" / "1,204 jobs" */
export const plural = (n: number, word: string, many = `${word}s`) => `${num(n)} ${n === 1 ? word : many}`;

let stdoutGuarded = false;
/** Writes to stdout; a closed pipe (`| head`) ends the process quietly instead of crashing it. */
export function out(text: string): void {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  if (text) process.stdout.write(text);
}

export function err(text: string): void {
  if (text) process.stderr.write(text);
}

/** Writes many lines in chunks, so 100,000 ids are not 100,000 write calls. */
export function outLines(lines: readonly (string | number)[]): void {
  if (!lines.length) return;
  for (let i = 0; i < lines.length; i += 5_000) out(`${lines.slice(i, i + 5_000).join("\n")}\n`);
}

const ID = /^\d{1,15}$/;

/** A job or campaign id from an argument; exit 2 on anything that is not a positive integer. */
export function parseId(value: string, what = "id"): number {
  const v = value.trim();
  const n = Number(v);
  if (!ID.test(v) || n < 1) throw usageError(`"${value}" is not a valid ${what} (expected a positive whole number)`);
  return n;
}

/** Ids given as arguments; each argument may also be a comma-separated list. */
export function parseIdArgs(args: readonly string[]): number[] {
  return args.flatMap((a) => a.split(",").filter((s) => s.trim() !== "")).map((s) => parseId(s, "job id"));
}

/**
 * Job ids from piped lines: an NDJSON object per line (its `id` is taken, else its `key`, as
 * `jobs list --format ndjson` prints them; a line of another source is refused), or bare ids (one per line; spaces or commas also separate them).
 * Blank lines are ignored. Any line that is neither is a usage error naming the line.
 */
export function parseIdLines(lines: readonly string[]): number[] {
  const ids: number[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `stdin line ${i + 1}`;
    if (line.startsWith("{")) {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        throw usageError(`${where}: not valid JSON`);
      }
      const o = obj as { id?: unknown; key?: unknown; source?: unknown };
      if (typeof o.source === "string" && o.source !== "jobdeck") throw usageError(`${where}: a job of source "${truncate(o.source, 60)}": add --source ${truncate(o.source, 60)}`);
      const id = o.id ?? o.key;
      if ((typeof id !== "number" && typeof id !== "string") || !ID.test(String(id)) || Number(id) < 1) {
        throw usageError(`${where}: the object has no valid "id" (a positive whole number)`);
      }
      ids.push(Number(id));
      return;
    }
    for (const token of line.split(/[\s,]+/).filter(Boolean)) {
      if (!ID.test(token) || Number(token) < 1) throw usageError(`${where}: "${truncate(token, 40)}" is not a job id`);
      ids.push(Number(token));
    }
  });
  return ids;
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** `3d`, `5h`, `12m`, `40s`: how long ago, compactly. */
export function ago(date: Date | null, now = Date.now()): string {
  if (!date) return "-";
  const s = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Left-aligned columns separated by two spaces; `right` lists columns to right-align. Cells are made printable. */
export function table(header: readonly string[], cells: readonly (readonly string[])[], right: readonly number[] = []): string {
  const rows = cells.map((r) => r.map(printable));
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 && !right.includes(c) ? cell : right.includes(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

/** The first line of free text (an error), printable, for a table cell. */
export function firstLine(s: string | null, max: number): string {
  if (!s) return "";
  return truncate(printable(s.split(/\r?\n/)[0].trim()), max);
}

/** A name (kind, queue, item key) whole, printable (a newline shows as \n), for a table cell. */
export function cell(s: string | null, max: number): string {
  return s ? truncate(printable(s), max) : "";
}

/** Integer option with bounds; exit 2 otherwise. */
export function intOption(value: string | undefined, flag: string, opts: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^[+-]?\d+$/.test(v)) throw usageError(`${flag} must be a whole number (got "${value}")`);
  const n = Number(v);
  if (n < opts.min || n > opts.max) {
    throw usageError(`${flag} must be between ${num(opts.min)} and ${num(opts.max)} (got "${value}")`);
  }
  return n;
}

/**
 * `--priority -7` → `--priority=-7`: node's parseArgs (strict) takes "-7" for an option and
 * refuses the pair as ambiguous; a negative number after these flags is their value.
 */
export function joinNegativeValues(args: readonly string[], flags: readonly string[]): string[] {
  const outArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (flags.includes(args[i]) && i + 1 < args.length && /^-\d/.test(args[i + 1])) {
      outArgs.push(`${args[i]}=${args[i + 1]}`);
      i++;
    } else outArgs.push(args[i]);
  }
  return outArgs;
}
