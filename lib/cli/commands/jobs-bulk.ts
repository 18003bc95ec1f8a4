// `jobdeck jobs retry` and `jobdeck jobs cancel`: operator actions over job ids given as
// arguments or piped in (NDJSON from `jobs list --format ndjson`, or bare ids). Ids are all
// parsed before anything changes; the work runs in audited 1,000-id transactions.
import { runAuditedBatches } from "../../audit/audited-batches";
import { type BulkResult, cancelJobs, retryJobs } from "../../queue/operator";
import { parseOptions } from "../args";
import type { Command } from "../commands";
import { EXIT_FAILURE, EXIT_OK, usageError } from "../errors";
import { runSourceBulk } from "./jobs-bulk-source";
import { isNativeSource } from "./sources";
import { cliActor, err, num, out, parseIdArgs, parseIdLines, plural, readStdinLines, stdinIsPiped, withDb } from "./support";

/** Ids from the arguments, or from stdin when none are given and stdin is a pipe. */
async function collectIds(positionals: string[]): Promise<{ ids: number[]; source: "args" | "stdin" }> {
  if (positionals.length) return { ids: parseIdArgs(positionals), source: "args" };
  if (!stdinIsPiped()) throw usageError("give job ids as arguments, or pipe ids / NDJSON (jobs list --format ndjson) on stdin");
  return { ids: parseIdLines(await readStdinLines()), source: "stdin" };
}

/** "3 (running: 2, completed: 1)" */
function skippedByState(r: BulkResult): string {
  const counts = new Map<string, number>();
  for (const s of r.skipped) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([state, n]) => `${state}: ${num(n)}`);
  return parts.length ? `${num(r.skipped.length)} (${parts.join(", ")})` : "0";
}

/** Skipped and missing ids, one per line on stderr, so stdout stays one summary line. */
function reportDetails(r: BulkResult): void {
  const lines: string[] = [];
  for (const id of r.cancelRequested) lines.push(`job ${id}: running; cancel requested (its worker stops it at its next heartbeat)`);
  for (const s of r.skipped) lines.push(`job ${s.id}: skipped (${s.state}): ${s.reason}`);
  for (const id of r.notFound) lines.push(`job ${id}: not found`);
  for (let i = 0; i < lines.length; i += 5_000) err(`${lines.slice(i, i + 5_000).join("\n")}\n`);
}

interface BulkSpec {
  verb: "retry" | "cancel";
  action: string;
  op: (q: Parameters<typeof retryJobs>[0], batch: number[]) => Promise<BulkResult>;
  summary: (r: BulkResult) => string;
}

async function runBulk(spec: BulkSpec, ids: number[], reason: string | undefined, source: string): Promise<number> {
  const unique = [...new Set(ids)];
  if (!unique.length) {
    // An empty pipe (nothing matched upstream) is not an error, and there is nothing to audit.
    out(`${spec.summary({ affected: [], cancelRequested: [], skipped: [], notFound: [] })}\n`);
    return EXIT_OK;
  }
  const result = await withDb((db) =>
    runAuditedBatches(db, unique, { actor: cliActor(), action: spec.action, reason: reason ?? null, filter: { ids_from: source } }, spec.op, (done, total) => {
      if (total > 1_000 && process.stderr.isTTY) err(`\r${spec.verb}: ${num(done)} / ${num(total)}`);
    }),
  );
  if (unique.length > 1_000 && process.stderr.isTTY) err("\n");
  reportDetails(result);
  out(`${spec.summary(result)}\n`);
  return result.notFound.length ? EXIT_FAILURE : EXIT_OK;
}

const COMMON_HELP = (verb: string) => `Ids come as arguments (spaces or commas between them), or, when no ids are given and stdin is
not a terminal, from stdin: one NDJSON object per line (its "id" is used, else its "key"; this is
what \`jobdeck jobs list --format ndjson\` prints) or bare ids, one per line. Every id is checked
before anything changes: a malformed id or line exits 2 with nothing ${verb === "retry" ? "retried" : "cancelled"}.

The work runs in transactions of 1,000 ids, each with its audit row (action "jobs.${verb}",
actor cli:<user>@<host>, the --reason, affected and skipped counts).

--source NAME acts on another job system named in JOBDECK_SOURCES, through its library's own
functions: the arguments or lines are its job keys (NDJSON: "key", else "id", as
\`jobs list --source NAME --format ndjson\` prints; a line whose "source" is another source is
refused), audited by the source as "cli.jobs.${verb}" with the source's name and the keys. What the
source cannot do (a read-only source, ...) exits 2 naming it. Output: one summary line,
  ${verb === "retry" ? "retried" : "cancelled"} 2 jobs; skipped 1 (running jobs are never retried: 1); not found: 0
and on stderr one line per skip reason. Without --source (or --source jobdeck): Jobdeck's own queue.`;

const EXIT_HELP = `Exit codes: 0 the command ran (also when jobs were skipped because of their state, and for an
empty pipe); 1 some ids do not exist (the others were still processed and are reported);
2 bad usage or a malformed id (nothing changed).`;

export const jobsRetryCommand: Command = {
  summary: "retry failed, dead or cancelled jobs (ids as arguments or piped)",
  help: `Usage: jobdeck jobs retry [--completed] [--reason TEXT] [--source NAME] [ids...]
       <ids or ndjson> | jobdeck jobs retry [--completed] [--reason TEXT] [--source NAME]

Puts failed, dead and cancelled jobs back to pending, to run now. last_error and the attempt
history are kept; attempts restart at 0. Running jobs are never retried: they are skipped and
reported. Completed jobs are skipped unless --completed is given. Pending jobs are skipped.

Options:
  --completed      also re-run completed jobs (where the source keeps and can re-run them)
  --reason TEXT    why, for the audit log
  --source NAME    another source (JOBDECK_SOURCES); default jobdeck

${COMMON_HELP("retry")}

Output: one summary line on stdout,
  retried 1,204 jobs; skipped 3 (running: 3); not found: 0
and on stderr one line per skipped or missing job ("job 17: skipped (running): ...").

${EXIT_HELP}

Examples:
  jobdeck jobs retry 41 42 43 --reason "upstream API back"
  jobdeck jobs list --state dead --format ndjson | jobdeck jobs retry
  jobdeck jobs list --state dead --kind resize --error-prefix "ENOMEM" --since 2d --format ndjson \\
    | jobdeck jobs retry --reason "raised memory limit"`,

  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { completed: { type: "boolean" }, reason: { type: "string" }, source: { type: "string" } },
      { positionals: true },
    );
    const includeCompleted = values.completed ?? false;
    if (!isNativeSource(values.source)) return runSourceBulk(values.source!, "retry", positionals, values.reason, includeCompleted);
    const { ids, source } = await collectIds(positionals);
    return runBulk(
      {
        verb: "retry",
        action: "jobs.retry",
        op: (q, batch) => retryJobs(q, batch, { includeCompleted }),
        summary: (r) =>
          `retried ${plural(r.affected.length, "job")}; skipped ${skippedByState(r)}; not found: ${num(r.notFound.length)}`,
      },
      ids,
      values.reason,
      source,
    );
  },
};

export const jobsCancelCommand: Command = {
  summary: "cancel pending or failed jobs; ask running ones to stop",
  help: `Usage: jobdeck jobs cancel [--reason TEXT] [--source NAME] [ids...]
       <ids or ndjson> | jobdeck jobs cancel [--reason TEXT] [--source NAME]

Pending and failed (backing-off) jobs become cancelled. Running jobs get a cancel request: their
worker aborts the handler at its next heartbeat and the job ends cancelled. Completed, dead and
cancelled jobs are skipped and reported.

Options:
  --reason TEXT    why, for the audit log
  --source NAME    another source (JOBDECK_SOURCES); default jobdeck

${COMMON_HELP("cancel")}

Output: one summary line on stdout,
  cancelled 10 jobs; cancel requested 2 (running); skipped 1 (completed: 1); not found: 0
and on stderr one line per running, skipped or missing job.

${EXIT_HELP}

Examples:
  jobdeck jobs cancel 41 42 --reason "duplicate import"
  jobdeck jobs list --state pending --kind nightly-report --format ndjson | jobdeck jobs cancel`,

  async run(args) {
    const { values, positionals } = parseOptions(args, { reason: { type: "string" }, source: { type: "string" } }, { positionals: true });
    if (!isNativeSource(values.source)) return runSourceBulk(values.source!, "cancel", positionals, values.reason, false);
    const { ids, source } = await collectIds(positionals);
    return runBulk(
      {
        verb: "cancel",
        action: "jobs.cancel",
        op: cancelJobs,
        summary: (r) =>
          `cancelled ${plural(r.affected.length, "job")}; cancel requested ${num(r.cancelRequested.length)} (running); ` +
          `skipped ${skippedByState(r)}; not found: ${num(r.notFound.length)}`,
      },
      ids,
      values.reason,
      source,
    );
  },
};
