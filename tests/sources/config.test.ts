// JOBDECK_SOURCES / JOBDECK_SOURCES_FILE: defaults, and one clear line naming the entry and the
// field for every kind of bad entry.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readSourcesConfig, SourceConfigError } from "../../lib/sources/config";

const read = (json: unknown) => readSourcesConfig({ JOBDECK_SOURCES: typeof json === "string" ? json : JSON.stringify(json) });
const fails = (json: unknown) => {
  try {
    read(json);
  } catch (err) {
    expect(err).toBeInstanceOf(SourceConfigError);
    expect((err as Error).message).not.toContain("\n");
    return (err as Error).message;
  }
  throw new Error("expected a SourceConfigError");
};

describe("sources configuration", () => {
  it("is empty when neither variable is set", () => {
    expect(readSourcesConfig({})).toEqual([]);
  });

  it("fills the defaults: url = the control database, schema = the library's, writable", () => {
    expect(read([{ name: "billing", kind: "pg-boss" }, { name: "mail", kind: "graphile-worker", url: "postgres://u:p@db:5432/mail", readOnly: true }])).toEqual([
      { name: "billing", kind: "pg-boss", url: null, schema: "pgboss", readOnly: false },
      { name: "mail", kind: "graphile-worker", url: "postgres://u:p@db:5432/mail", schema: "graphile_worker", readOnly: true },
    ]);
  });

  it("reads a Celery source: its broker and optional database result backend", () => {
    expect(read([{ name: "tasks", kind: "celery", broker: "redis://cache:6379/0", resultBackend: "postgres://u:p@db/celery" }, { name: "jobs", kind: "celery", broker: "amqp://guest:guest@mq:5672//", readOnly: true }])).toEqual([
      { name: "tasks", kind: "celery", broker: "redis://cache:6379/0", resultBackend: "postgres://u:p@db/celery", readOnly: false },
      { name: "jobs", kind: "celery", broker: "amqp://guest:guest@mq:5672//", resultBackend: null, readOnly: true },
    ]);
    expect(fails([{ name: "tasks", kind: "celery" }])).toMatch(/^JOBDECK_SOURCES entry 1 \("tasks"\), field broker: broker is required for a celery source/);
    expect(fails([{ name: "tasks", kind: "celery", broker: "kafka://k:9092" }])).toBe(
      'JOBDECK_SOURCES entry 1 ("tasks"), field broker: broker must be a redis://, rediss://, amqp:// or amqps:// URL',
    );
    expect(fails([{ name: "tasks", kind: "celery", broker: "redis://r", url: "postgres://x/y" }])).toBe(
      'JOBDECK_SOURCES entry 1 ("tasks"): unknown field "url" (fields are name, kind, broker, resultBackend, readOnly)',
    );
  });

  it("names the entry and the field of a bad entry", () => {
    expect(fails([{ name: "billing", kind: "sidekiq" }])).toBe('JOBDECK_SOURCES entry 1 ("billing"), field kind: kind must be "pg-boss", "graphile-worker" or "celery"');
    expect(fails([{ name: "ok", kind: "pg-boss" }, { name: "mail", kind: "graphile-worker", url: "mysql://x" }])).toBe(
      'JOBDECK_SOURCES entry 2 ("mail"), field url: url must be a postgres:// connection string',
    );
    expect(fails([{ kind: "pg-boss" }])).toMatch(/^JOBDECK_SOURCES entry 1, field name: /);
    expect(fails([{ name: "Billing!", kind: "pg-boss" }])).toMatch(/field name: name must be 1-40 lower-case/);
    expect(fails([{ name: "b", kind: "pg-boss", schema: "pg boss; drop" }])).toMatch(/field schema: schema must be a plain SQL identifier/);
    expect(fails([{ name: "b", kind: "pg-boss", readonly: true }])).toBe('JOBDECK_SOURCES entry 1 ("b"): unknown field "readonly" (fields are name, kind, url, schema, readOnly)');
    expect(fails([{ name: "b", kind: "pg-boss", readOnly: "yes" }])).toMatch(/field readOnly: readOnly must be true or false/);
  });

  it("refuses duplicate names and the native source's name", () => {
    expect(fails([{ name: "a", kind: "pg-boss" }, { name: "a", kind: "graphile-worker" }])).toMatch(/entry 2 \("a"\), field name: used twice/);
    expect(fails([{ name: "jobdeck", kind: "pg-boss" }])).toMatch(/"jobdeck" is the native source's name/);
  });

  it("refuses JSON that is not an array of objects", () => {
    expect(fails("{not json")).toMatch(/^JOBDECK_SOURCES is not valid JSON: /);
    expect(fails({ name: "a" })).toMatch(/must be a JSON array of sources/);
  });

  it("reads JOBDECK_SOURCES_FILE, and refuses both variables at once or a missing file", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "jobdeck-sources-"));
    const file = path.join(dir, "sources.json");
    writeFileSync(file, JSON.stringify([{ name: "mail", kind: "graphile-worker" }]));
    expect(readSourcesConfig({ JOBDECK_SOURCES_FILE: file })).toHaveLength(1);
    expect(() => readSourcesConfig({ JOBDECK_SOURCES_FILE: file, JOBDECK_SOURCES: "[]" })).toThrow("set JOBDECK_SOURCES or JOBDECK_SOURCES_FILE, not both");
    expect(() => readSourcesConfig({ JOBDECK_SOURCES_FILE: path.join(dir, "missing.json") })).toThrow(/cannot be read: ENOENT/);
    writeFileSync(file, JSON.stringify([{ name: "mail", kind: "nope" }]));
    expect(() => readSourcesConfig({ JOBDECK_SOURCES_FILE: file })).toThrow(`JOBDECK_SOURCES_FILE ${file} entry 1 ("mail"), field kind`);
  });
});
