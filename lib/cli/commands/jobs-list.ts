// `jobdeck jobs list`: jobs matching a filter, newest id first, as an aligned table for people
// or NDJSON for pipes (`jobs list --format ndjson | jobs retry`). Payload secrets are masked
// unless --show-secrets (the CLI's operator reads the database directly: it is their call).
import { JobFilterError, parseJobFilter } from "../../filters/job-filter";
import { type JobListRow, listJobs } from "../../queries/jobs";
import { JOB_STATES } from "../../queue/state-machine";
import { type Redaction, redaction } from "../../redact";
import { parseOptions } from "../args";
import type { Command } from "../commands";
import { usageError } from "../errors";
import { jsonLine } from "../text";
import { NATIVE_SOURCE } from "../../sources/types";
import { listSourceJobs } from "./jobs-list-source";
import { isNativeSource } from "./sources";
import { ago, cell, err, firstLine, joinNegativeValues, num, out, outLines, table, withDb } from "./support";

/** The CLI may list (and so pipe into a bulk action) more than a page of the UI. */
const CLI_MAX_LIMIT = 100_000;

/** The NDJSON shape of a job: a stable, documented set of keys (key and source as every source's lines carry them). */
export function jobToJson(j: JobListRow, r: Redaction) {
  return {
    id: j.id,
    key: String(j.id),
    source: NATIVE_SOURCE,
    kind: j.kind,
    queue: j.queue,
    state: j.state,
    attempts: j.attempts,
    max_attempts: j.max_attempts,
    priority: j.priority,
    payload: r.json(j.payload),
    last_error: j.last_error,
    locked_by: j.locked_by,
    locked_until: j.locked_until,
    created_at: j.created_at,
    run_at: j.run_at,
    finished_at: j.finished_at,
  };
}

export const jobsListCommand: Command = {
  summary: "list jobs by state, kind, queue, age or error (table or NDJSON)",
  help: `Usage: jobdeck jobs list [--state S[,S...]] [--kind K] [--queue Q] [--since 10h|2d|30m]
                         [--error-prefix TEXT] [--limit N] [--format table|ndjson] [--show-secrets]
                         [--source NAME]

Lists jobs matching every given filter, newest id first.

Options:
  --source NAME        another job system named in JOBDECK_SOURCES (pg-boss, graphile-worker);
                       default jobdeck, Jobdeck's own queue. A filter the source cannot apply
                       exits 2 naming it; so does an unknown source.
  --state S[,S...]     one or more of ${JOB_STATES.join(", ")}
  --kind K             exact job kind
  --queue Q            exact queue
  --since DURATION     only jobs updated within this window: a number and s, m, h or d
                       (45s, 30m, 10h, 2d; "10 h" works too). "Updated" is the latest time the
                       job records: coalesce(finished_at, started_at, created_at).
  --error-prefix TEXT  only jobs whose last_error starts with TEXT (case-sensitive)
  --limit N            at most N jobs (1..${num(CLI_MAX_LIMIT)}, default 100)
  --format F           table (default) or ndjson
  --show-secrets       print payload values of keys named in JOBDECK_REDACT_KEYS as stored;
                       without it they are "••••" (ids, and so the retry pipe, are unaffected)

table: one line per job with the columns
  ID  KIND  QUEUE  STATE  ATTEMPTS (attempts/max)  PRIO  AGE (since created)  LAST ERROR (first line, truncated)
and, on stderr, "showing N jobs (limit reached; narrow the filter or raise --limit)" when the
limit cut the list.
ndjson: one JSON object per line with id, key, source, kind, queue, state, attempts,
  max_attempts, priority, payload, last_error, locked_by, locked_until, created_at, run_at,
  finished_at (times in ISO 8601 UTC, null when unset). Nothing else is written to stdout.
With --source NAME: the table's first column is KEY (pg-boss: <queue>:<uuid>) and STATE shows
  the library's own state beside Jobdeck's; each NDJSON line's id is the key (a string), with
  native_state beside state, and its payload is read job by job (slower than the native list).
Text from the jobs (kind, queue, errors) is printed with control characters escaped (\\u001b,
\\r, \\n), in the table and in the JSON.

Exit codes: 0 listed (also when nothing matches); 2 bad filter (unknown state, malformed
--since, bad --limit, unknown --format).

Examples:
  jobdeck jobs list --state dead,failed --since 10h
  jobdeck jobs list --kind send-email --error-prefix "SMTP 550" --limit 20
  jobdeck jobs list --state dead --format ndjson | jobdeck jobs retry --reason "fixed bug #42"
  jobdeck jobs list --source billing --state dead --format ndjson | jobdeck jobs retry --source billing`,

  async run(args) {
    const { values, positionals } = parseOptions(
      joinNegativeValues(args, ["--limit"]),
      {
        state: { type: "string", multiple: true },
        kind: { type: "string" },
        queue: { type: "string" },
        since: { type: "string" },
        "error-prefix": { type: "string" },
        limit: { type: "string" },
        format: { type: "string" },
        "show-secrets": { type: "boolean" },
        source: { type: "string" },
      },
      { positionals: true },
    );
    if (positionals.length) throw usageError(`unexpected argument "${positionals[0]}"`);
    const format = values.format ?? "table";
    if (format !== "table" && format !== "ndjson") throw usageError(`--format must be table or ndjson (got "${format}")`);
    if (values.since !== undefined && values.since.trim() === "") throw usageError("--since must not be empty");
    if (values.limit !== undefined && values.limit.trim() === "") throw usageError("--limit must not be empty");

    let filter;
    try {
      filter = parseJobFilter(
        {
          state: values.state,
          kind: values.kind,
          queue: values.queue,
          since: values.since,
          errorPrefix: values["error-prefix"],
          limit: values.limit,
        },
        { maxLimit: CLI_MAX_LIMIT },
      );
    } catch (e) {
      if (e instanceof JobFilterError) throw usageError(e.message.replace(/^limit\b/, "--limit").replace(/^since\b/, "--since"));
      throw e;
    }

    if (!isNativeSource(values.source)) return listSourceJobs(values.source!, filter, format, redaction(values["show-secrets"] === true));
    const page = await withDb((db) => listJobs(db, filter));
    if (format === "ndjson") {
      const r = redaction(values["show-secrets"] === true);
      outLines(page.jobs.map((j) => jsonLine(jobToJson(j, r))));
      return;
    }
    if (!page.jobs.length) {
      err("no jobs match\n");
      return;
    }
    const now = Date.now();
    out(
      table(
        ["ID", "KIND", "QUEUE", "STATE", "ATTEMPTS", "PRIO", "AGE", "LAST ERROR"],
        page.jobs.map((j) => [
          String(j.id),
          cell(j.kind, 40),
          cell(j.queue, 24),
          j.state,
          `${j.attempts}/${j.max_attempts}`,
          String(j.priority),
          ago(j.created_at, now),
          firstLine(j.last_error, 80),
        ]),
        [0, 4, 5, 6],
      ),
    );
    if (page.nextBeforeId !== null) {
      err(`showing ${num(page.jobs.length)} jobs (limit reached; narrow the filter or raise --limit)\n`);
    }
  },
};
