// `--source NAME` for the CLI: opens the sources of JOBDECK_SOURCES (lib/sources/registry) on the
// CLI's database, maps their failures to exit codes, and reads job keys from arguments and pipes.
// Without --source (or with --source jobdeck) the commands keep their native paths and never read
// JOBDECK_SOURCES. Foreign actions are audited by the adapters as cli.jobs.* (no bulk threshold in
// the CLI, as for the native queue).
import type { Database } from "../../../db/client";
import { JobFilterError } from "../../filters/job-filter";
import { readSourcesConfig, SourceConfigError } from "../../sources/config";
import { openSources } from "../../sources/registry";
import { type ActionContext, CapabilityError, NATIVE_SOURCE, type Source, SourceUnavailableError, UnknownSourceError } from "../../sources/types";
import { CliError, EXIT_FAILURE, usageError } from "../errors";
import { cliActor, num, truncate, withDb } from "./support";

/** Whether `--source` names the native queue (absent, empty or "jobdeck"). */
export const isNativeSource = (name: string | undefined) => name === undefined || name.trim() === "" || name.trim() === NATIVE_SOURCE;

/** Source failures as CLI errors: what the source cannot do, an unknown source and bad configuration are usage errors (2); an unreachable source a failure (1). */
function toSourceCliError(err: unknown): unknown {
  if (err instanceof SourceConfigError || err instanceof UnknownSourceError || err instanceof CapabilityError) return usageError(err.message);
  if (err instanceof JobFilterError) return usageError(err.message);
  if (err instanceof SourceUnavailableError) return new CliError(err.message, EXIT_FAILURE);
  return err;
}

/** Runs `fn` with the named foreign source on the CLI's database; JOBDECK_SOURCES is read first, so a bad one fails before anything opens. */
export async function withSource<T>(name: string, fn: (source: Source, db: Database) => Promise<T>): Promise<T> {
  let configs;
  try {
    configs = readSourcesConfig();
  } catch (err) {
    throw toSourceCliError(err);
  }
  const wanted = name.trim();
  if (!configs.some((c) => c.name === wanted)) throw usageError(new UnknownSourceError(wanted, [NATIVE_SOURCE, ...configs.map((c) => c.name)]).message);
  return withDb(async (db) => {
    const registry = openSources(db, configs);
    try {
      return await fn(registry.get(wanted)!, db);
    } catch (err) {
      throw toSourceCliError(err);
    } finally {
      await registry.close();
    }
  });
}

export function cliActionContext(db: Database, reason: string | undefined): ActionContext {
  return { control: db, actor: cliActor(), reason: reason ?? null, auditPrefix: "cli.jobs" };
}

function keyOf(source: Source, raw: string, where: string): string {
  const key = source.parseKey(raw);
  if (key === null) throw usageError(`${where}: "${truncate(raw, 80)}" is not a job key of source "${source.name}"`);
  return key;
}

/** Keys given as arguments (commas separate them too, as for ids). */
export function parseKeyArgs(source: Source, args: readonly string[]): string[] {
  return args.flatMap((a) => a.split(",").filter((s) => s.trim() !== "")).map((s) => keyOf(source, s.trim(), "argument"));
}

/**
 * Keys from piped lines: an NDJSON object per line (its `key`, else its `id`, as `jobs list
 * --source NAME --format ndjson` prints them), or bare keys, one per line. A line of another
 * source (its `source` field) is refused, so a pipe cannot act on the wrong queue.
 */
export function parseKeyLines(source: Source, lines: readonly string[]): string[] {
  const keys: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `stdin line ${i + 1}`;
    if (!line.startsWith("{")) {
      keys.push(keyOf(source, line, where));
      return;
    }
    let obj: { key?: unknown; id?: unknown; source?: unknown };
    try {
      obj = JSON.parse(line);
    } catch {
      throw usageError(`${where}: not valid JSON`);
    }
    if (typeof obj.source === "string" && obj.source !== source.name) throw usageError(`${where}: a job of source "${truncate(obj.source, 60)}", not "${source.name}"`);
    const rawKey = typeof obj.key === "string" ? obj.key : typeof obj.id === "string" || typeof obj.id === "number" ? String(obj.id) : null;
    if (rawKey === null) throw usageError(`${where}: the object has no "key" (or "id") of a job of source "${source.name}"`);
    keys.push(keyOf(source, rawKey, where));
  });
  return keys;
}

/** "3 (running jobs are never retried: 2, not found (…): 1)" */
export function skippedText(skipped: Record<string, number>): string {
  const entries = Object.entries(skipped).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((n, [, k]) => n + k, 0);
  return entries.length ? `${num(total)} (${entries.map(([reason, n]) => `${reason}: ${num(n)}`).join(", ")})` : "0";
}

export const notFoundCount = (skipped: Record<string, number>) => Object.entries(skipped).reduce((n, [r, k]) => (r.startsWith("not found") ? n + k : n), 0);
