// `jobdeck enqueue`: adds jobs from flags or from NDJSON job specs on stdin. Every spec is
// validated before anything is written; then all jobs and their audit row go in one transaction.
import { recordAudit } from "../../audit/record";
import { enqueueMany, type JobSpec, PRIORITY_MAX, PRIORITY_MIN, parseJobSpec, QueueError } from "../../queue";
import { parseOptions } from "../args";
import type { Command } from "../commands";
import { usageError } from "../errors";
import { cliActor, err, intOption, joinNegativeValues, num, outLines, plural, readStdinLines, stdinIsPiped, truncate, withDb } from "./support";

const MAX_COUNT = 1_000_000;
/** The audit row lists the new ids up to this many; beyond it, only the first and last. */
const AUDIT_ID_LIMIT = 10_000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** An ISO 8601 date or date-time; a time without an offset is local time. */
export function parseIsoDate(value: string, what: string): Date {
  const v = value.trim();
  const d = new Date(v);
  if (!ISO_DATE.test(v) || Number.isNaN(d.getTime())) {
    throw usageError(`${what} must be an ISO 8601 date-time like 2026-05-01T12:00:00Z (got "${truncate(value, 60)}")`);
  }
  return d;
}

const SPEC_FIELDS: Record<string, keyof JobSpec> = {
  kind: "kind",
  queue: "queue",
  payload: "payload",
  priority: "priority",
  run_at: "runAt",
  runAt: "runAt",
  max_attempts: "maxAttempts",
  maxAttempts: "maxAttempts",
};

const isWholeNumber = (v: unknown) =>
  (typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v));

/** One NDJSON line → a job spec, with the flags' values as defaults. Throws a usage error naming the line. */
function specFromLine(line: string, lineNo: number, defaults: Partial<JobSpec>): JobSpec {
  const where = `stdin line ${lineNo}`;
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    throw usageError(`${where}: not valid JSON`);
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    throw usageError(`${where}: expected a JSON object like {"kind":"send-email","payload":{}}`);
  }
  const spec: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(obj)) {
    const field = SPEC_FIELDS[key];
    if (!field) {
      throw usageError(`${where}: unknown field "${truncate(key, 40)}" (fields: kind, queue, payload, priority, run_at, max_attempts)`);
    }
    // null means "not given" (the default applies): lib/queue would coerce a null run_at to 1970.
    if (value === null && field !== "payload") continue;
    spec[field] = value;
  }
  if (typeof spec.kind !== "string") throw usageError(`${where}: kind must be a non-empty string`);
  if (spec.queue !== undefined && typeof spec.queue !== "string") throw usageError(`${where}: queue must be a string`);
  if (spec.priority !== undefined && !isWholeNumber(spec.priority)) {
    throw usageError(`${where}: priority must be a whole number between ${PRIORITY_MIN} and ${PRIORITY_MAX}`);
  }
  if (spec.maxAttempts !== undefined && (!isWholeNumber(spec.maxAttempts) || Number(spec.maxAttempts) < 1 || Number(spec.maxAttempts) > 1000)) {
    throw usageError(`${where}: max_attempts must be a whole number between 1 and 1000`);
  }
  if (spec.runAt !== undefined && !(spec.runAt instanceof Date)) {
    if (typeof spec.runAt !== "string") throw usageError(`${where}: run_at must be an ISO 8601 date-time string`);
    spec.runAt = parseIsoDate(spec.runAt, `${where}: run_at`);
  }
  return validate(spec as JobSpec, `${where}: `);
}

/** Runs the queue's own validation (lib/queue parseJobSpec); a failure is a usage error. */
function validate(spec: JobSpec, prefix = ""): JobSpec {
  try {
    parseJobSpec(spec);
  } catch (e) {
    // "kind: kind must not be empty" → "kind must not be empty"
    if (e instanceof QueueError) throw usageError(`${prefix}${e.message.replace(/^(\w+): (?=\1\b)/i, "")}`);
    throw e;
  }
  return spec;
}

export const enqueueCommand: Command = {
  summary: "add jobs (from flags, or NDJSON job specs on stdin)",
  help: `Usage: jobdeck enqueue --kind K [--queue Q] [--payload JSON] [--count N] [--priority P]
                       [--run-at ISO] [--max-attempts N]
       <ndjson> | jobdeck enqueue [--queue Q] [--priority P] [--run-at ISO] [--max-attempts N]

Adds jobs. With --kind, adds --count copies (default 1) of one job. Without --kind and with
stdin not a terminal, reads one JSON job spec per line:
  {"kind": "send-email", "queue": "mail", "payload": {...}, "priority": 10,
   "run_at": "2026-05-01T12:00:00Z", "max_attempts": 3}
(runAt / maxAttempts are accepted too; null means "not given"; blank lines are skipped). Flags other than --payload and
--count then act as defaults for lines that leave a field out.

Options:
  --kind K           job kind (required unless specs come on stdin)
  --queue Q          queue (default "default")
  --payload JSON     payload as JSON text (default {})
  --count N          how many identical jobs (1..${num(MAX_COUNT)}, default 1)
  --priority P       ${PRIORITY_MIN}..${PRIORITY_MAX}, higher runs first (default 0)
  --run-at ISO       run no earlier than this ISO 8601 time (default now; no offset = local time)
  --max-attempts N   attempts before the job is dead (1..1000, default 5)

Every spec is validated before anything is written; then all jobs are inserted in one
transaction together with an audit row (action "enqueue", actor cli:<user>@<host>).

Output: the new job ids on stdout, one per line, in input order (so they can be piped into
\`jobdeck jobs cancel\` and friends), and a summary on stderr: "enqueued 3 jobs (ids 41..43)".
Exit codes: 0 enqueued; 2 bad input (nothing written); 1 other failure (nothing written).

Examples:
  jobdeck enqueue --kind send-email --queue mail --payload '{"to":"a@example.com"}'
  jobdeck enqueue --kind thumbnail --count 1000 --priority -10
  jobdeck enqueue --kind report --run-at 2026-05-01T06:00:00Z
  jq -c '{kind: "reindex", payload: {doc: .id}}' docs.json | jobdeck enqueue --queue search`,

  async run(args) {
    const { values, positionals } = parseOptions(
      joinNegativeValues(args, ["--priority", "--max-attempts", "--count"]),
      {
        kind: { type: "string" },
        queue: { type: "string" },
        payload: { type: "string" },
        count: { type: "string" },
        priority: { type: "string" },
        "run-at": { type: "string" },
        "max-attempts": { type: "string" },
      },
      { positionals: true },
    );
    if (positionals.length) throw usageError(`unexpected argument "${positionals[0]}"`);

    const defaults: Partial<JobSpec> = {};
    if (values.queue !== undefined) defaults.queue = values.queue;
    if (values.priority !== undefined) {
      defaults.priority = intOption(values.priority, "--priority", { min: PRIORITY_MIN, max: PRIORITY_MAX });
    }
    if (values["max-attempts"] !== undefined) {
      defaults.maxAttempts = intOption(values["max-attempts"], "--max-attempts", { min: 1, max: 1000 });
    }
    if (values["run-at"] !== undefined) defaults.runAt = parseIsoDate(values["run-at"], "--run-at");

    let specs: JobSpec[];
    let source: "flags" | "stdin";
    if (values.kind !== undefined) {
      source = "flags";
      let payload: unknown = {};
      if (values.payload !== undefined) {
        try {
          payload = JSON.parse(values.payload);
        } catch (e) {
          throw usageError(`--payload is not valid JSON: ${(e as Error).message.split("\n")[0]}`);
        }
      }
      const count = intOption(values.count, "--count", { min: 1, max: MAX_COUNT }) ?? 1;
      const spec = validate({ ...defaults, kind: values.kind, payload }, "");
      specs = Array.from({ length: count }, () => spec);
    } else if (stdinIsPiped()) {
      source = "stdin";
      if (values.payload !== undefined || values.count !== undefined) {
        throw usageError("--payload and --count need --kind; job specs on stdin carry their own payload");
      }
      const lines = await readStdinLines();
      specs = [];
      lines.forEach((line, i) => {
        if (line.trim()) specs.push(specFromLine(line, i + 1, defaults));
      });
      if (!specs.length) throw usageError("no job specs on stdin; pipe NDJSON job specs or give --kind");
    } else {
      throw usageError("--kind is required (or pipe NDJSON job specs on stdin)");
    }

    const ids = await withDb((db) =>
      db.tx(async (q) => {
        const inserted = await enqueueMany(q, specs);
        await recordAudit(q, {
          actor: cliActor(),
          action: "enqueue",
          targetIds: inserted.length <= AUDIT_ID_LIMIT ? inserted : null,
          affected: inserted.length,
          outcome: "ok",
          details: {
            source,
            count: inserted.length,
            kinds: [...new Set(specs.map((s) => s.kind.trim()))].slice(0, 20),
            first_id: inserted[0],
            last_id: inserted[inserted.length - 1],
          },
        });
        return inserted;
      }),
    );
    outLines(ids);
    err(
      ids.length === 1
        ? `enqueued 1 job (id ${ids[0]})\n`
        : `enqueued ${plural(ids.length, "job")} (ids ${ids[0]}..${ids[ids.length - 1]})\n`,
    );
  },
};
