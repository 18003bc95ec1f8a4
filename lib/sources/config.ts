// Which foreign sources Jobdeck shows, read once from the environment (a public contract):
//   JOBDECK_SOURCES       a JSON array of sources
//   JOBDECK_SOURCES_FILE  or a path to a file holding the same JSON
// [{"name":"billing","kind":"pg-boss","url":"postgres://…","schema":"pgboss"},
//  {"name":"mail","kind":"graphile-worker","url":"postgres://…","schema":"graphile_worker"}]
// `url` defaults to DATABASE_URL, `schema` to the library's default, `readOnly` to false. The
// native source `jobdeck` always exists and is not listed. A bad entry stops start-up with one
// line naming the entry and the field (SourceConfigError).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { NATIVE_SOURCE, type SourceKind } from "./types";

export const DEFAULT_SCHEMAS: Record<Exclude<SourceKind, "jobdeck">, string> = {
  "pg-boss": "pgboss",
  "graphile-worker": "graphile_worker",
};

export interface SourceConfig {
  name: string;
  kind: Exclude<SourceKind, "jobdeck">;
  /** The source's database; null means the control database (DATABASE_URL, or the embedded one). */
  url: string | null;
  schema: string;
  readOnly: boolean;
}

export class SourceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceConfigError";
  }
}

const IDENT = /^[a-z_][a-z0-9_$]{0,62}$/i;

const entrySchema = z
  .object({
    name: z
      .string({ message: "name is required (a short name like billing)" })
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "name must be 1-40 lower-case letters, digits, - or _, starting with a letter or digit"),
    kind: z.enum(["pg-boss", "graphile-worker"], { message: 'kind must be "pg-boss" or "graphile-worker"' }),
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, "url must be a postgres:// connection string")
      .optional(),
    schema: z.string().regex(IDENT, "schema must be a plain SQL identifier (letters, digits, _)").optional(),
    readOnly: z.boolean({ message: "readOnly must be true or false" }).optional(),
  })
  .strict();

/** "entry 2 (billing): url must be …" — one line naming the entry and the field. */
function describeIssue(index: number, raw: unknown, issue: z.core.$ZodIssue): string {
  const name = raw && typeof raw === "object" && typeof (raw as { name?: unknown }).name === "string" ? ` ("${(raw as { name: string }).name}")` : "";
  const field = issue.path.length ? String(issue.path[0]) : "";
  const message =
    issue.code === "unrecognized_keys" ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")} (fields are name, kind, url, schema, readOnly)` : issue.message;
  return `entry ${index + 1}${name}${field && issue.code !== "unrecognized_keys" ? `, field ${field}` : ""}: ${message}`;
}

/** Parses the JSON text of JOBDECK_SOURCES (or its file); `where` names it in errors. */
export function parseSourcesJson(text: string, where = "JOBDECK_SOURCES"): SourceConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SourceConfigError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new SourceConfigError(`${where} must be a JSON array of sources, like [{"name":"billing","kind":"pg-boss"}]`);
  const seen = new Set<string>([NATIVE_SOURCE]);
  return raw.map((entry, i) => {
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) throw new SourceConfigError(`${where} ${describeIssue(i, entry, parsed.error.issues[0])}`);
    const e = parsed.data;
    if (seen.has(e.name)) {
      throw new SourceConfigError(
        `${where} entry ${i + 1} ("${e.name}"), field name: ${e.name === NATIVE_SOURCE ? `"${NATIVE_SOURCE}" is the native source's name` : "used twice"}; give each source its own name`,
      );
    }
    seen.add(e.name);
    return { name: e.name, kind: e.kind, url: e.url ?? null, schema: e.schema ?? DEFAULT_SCHEMAS[e.kind], readOnly: e.readOnly ?? false };
  });
}

type Env = Record<string, string | undefined>;

/** The configured foreign sources (empty when neither variable is set). */
export function readSourcesConfig(env: Env = process.env): SourceConfig[] {
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
