// Which foreign sources Jobdeck shows, read once from the environment (a public contract):
//   JOBDECK_SOURCES       a JSON array of sources
//   JOBDECK_SOURCES_FILE  or a path to a file holding the same JSON
// [{"name":"billing","kind":"pg-boss","url":"postgres://…","schema":"pgboss"},
//  {"name":"mail","kind":"graphile-worker","url":"postgres://…","schema":"graphile_worker"},
//  {"name":"tasks","kind":"celery","broker":"redis://host:6379/0","resultBackend":"postgres://…"}]
// `url` defaults to DATABASE_URL, `schema` to the library's default, `readOnly` to false; a
// Celery source names its broker (redis:// or amqp://) and optionally a database result backend. The
// native source `jobdeck` always exists and is not listed. A bad entry stops start-up with one
// line naming the entry and the field (SourceConfigError).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { NATIVE_SOURCE, type SourceKind } from "./types";

export const DEFAULT_SCHEMAS: Record<DatabaseSourceKind, string> = {
  "pg-boss": "pgboss",
  "graphile-worker": "graphile_worker",
};

/** Sources whose jobs live in a PostgreSQL schema Jobdeck reads as a guest. */
export type DatabaseSourceKind = Exclude<SourceKind, "jobdeck" | "celery">;

/** A pg-boss or graphile-worker source. */
export interface SourceConfig {
  name: string;
  kind: DatabaseSourceKind;
  /** The source's database; null means the control database (DATABASE_URL, or the embedded one). */
  url: string | null;
  schema: string;
  readOnly: boolean;
}

/** A Celery cluster: its events come from the broker and are mirrored into the control database. */
export interface CelerySourceConfig {
  name: string;
  kind: "celery";
  /** redis://, rediss://, amqp:// or amqps:// (a secret: shown as host and port only). */
  broker: string;
  /** A database result backend (postgres://) whose celery_taskmeta fills in finished tasks; null when none. */
  resultBackend: string | null;
  readOnly: boolean;
}

export type AnySourceConfig = SourceConfig | CelerySourceConfig;

export class SourceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceConfigError";
  }
}

const IDENT = /^[a-z_][a-z0-9_$]{0,62}$/i;

const nameSchema = z
  .string({ message: "name is required (a short name like billing)" })
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "name must be 1-40 lower-case letters, digits, - or _, starting with a letter or digit");
const KIND_MESSAGE = 'kind must be "pg-boss", "graphile-worker" or "celery"';

const databaseEntrySchema = z
  .object({
    name: nameSchema,
    kind: z.enum(["pg-boss", "graphile-worker"], { message: KIND_MESSAGE }),
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, "url must be a postgres:// connection string")
      .optional(),
    schema: z.string().regex(IDENT, "schema must be a plain SQL identifier (letters, digits, _)").optional(),
    readOnly: z.boolean({ message: "readOnly must be true or false" }).optional(),
  })
  .strict();

const celeryEntrySchema = z
  .object({
    name: nameSchema,
    kind: z.literal("celery"),
    broker: z
      .string({ message: "broker is required for a celery source (redis://host:6379/0 or amqp://host:5672//)" })
      .regex(/^(redis|rediss|amqp|amqps):\/\/\S+$/, "broker must be a redis://, rediss://, amqp:// or amqps:// URL"),
    resultBackend: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, "resultBackend must be a postgres:// connection string (the database result backend)")
      .optional(),
    readOnly: z.boolean({ message: "readOnly must be true or false" }).optional(),
  })
  .strict();

/** The entry's schema by its kind (an unknown kind is reported by the database schema's enum). */
const entrySchemaFor = (raw: unknown) =>
  raw && typeof raw === "object" && (raw as { kind?: unknown }).kind === "celery" ? celeryEntrySchema : databaseEntrySchema;

/** "entry 2 (billing): url must be …" — one line naming the entry and the field. */
function describeIssue(index: number, raw: unknown, issue: z.core.$ZodIssue): string {
  const name = raw && typeof raw === "object" && typeof (raw as { name?: unknown }).name === "string" ? ` ("${(raw as { name: string }).name}")` : "";
  const field = issue.path.length ? String(issue.path[0]) : "";
  const message =
    issue.code === "unrecognized_keys"
      ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")} (fields are ${(raw as { kind?: unknown }).kind === "celery" ? "name, kind, broker, resultBackend, readOnly" : "name, kind, url, schema, readOnly"})`
      : issue.message;
  return `entry ${index + 1}${name}${field && issue.code !== "unrecognized_keys" ? `, field ${field}` : ""}: ${message}`;
}

/** Parses the JSON text of JOBDECK_SOURCES (or its file); `where` names it in errors. */
export function parseSourcesJson(text: string, where = "JOBDECK_SOURCES"): AnySourceConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SourceConfigError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new SourceConfigError(`${where} must be a JSON array of sources, like [{"name":"billing","kind":"pg-boss"}]`);
  const seen = new Set<string>([NATIVE_SOURCE]);
  return raw.map((entry, i) => {
    const parsed = entrySchemaFor(entry).safeParse(entry);
    if (!parsed.success) throw new SourceConfigError(`${where} ${describeIssue(i, entry, parsed.error.issues[0])}`);
    const e = parsed.data;
    if (seen.has(e.name)) {
      throw new SourceConfigError(
        `${where} entry ${i + 1} ("${e.name}"), field name: ${e.name === NATIVE_SOURCE ? `"${NATIVE_SOURCE}" is the native source's name` : "used twice"}; give each source its own name`,
      );
    }
    seen.add(e.name);
    if (e.kind === "celery") return { name: e.name, kind: e.kind, broker: e.broker, resultBackend: e.resultBackend ?? null, readOnly: e.readOnly ?? false };
    return { name: e.name, kind: e.kind, url: e.url ?? null, schema: e.schema ?? DEFAULT_SCHEMAS[e.kind], readOnly: e.readOnly ?? false };
  });
}

type Env = Record<string, string | undefined>;

/** The configured foreign sources (empty when neither variable is set). */
export function readSourcesConfig(env: Env = process.env): AnySourceConfig[] {
  const inline = env.JOBDECK_SOURCES?.trim();
  const file = env.JOBDECK_SOURCES_FILE?.trim();
  if (inline && file) throw new SourceConfigError("set JOBDECK_SOURCES or JOBDECK_SOURCES_FILE, not both");
  if (inline) return parseSourcesJson(inline);
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new SourceConfigError(`JOBDECK_SOURCES_FILE ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return parseSourcesJson(text, `JOBDECK_SOURCES_FILE ${file}`);
  }
  return [];
}
