// The configured Celery source a Celery-only operation names (server actions and API routes):
// an unknown name is UnknownSourceError (a 400 naming the known sources), a source of another
// kind a 400 saying these are Celery's remote control.
import "server-only";
import type { CelerySourceConfig } from "@/lib/sources/config";
import { readSourcesConfig } from "@/lib/sources/config";
import { QueueError } from "@/lib/queue/state-machine";
import { NATIVE_SOURCE, UnknownSourceError } from "@/lib/sources/types";

export function celerySourceConfig(name: string): CelerySourceConfig {
  const all = readSourcesConfig();
  const found = all.find((s) => s.name === name);
  if (!found) {
    if (name === NATIVE_SOURCE) throw new QueueError("invalid_input", `source "${NATIVE_SOURCE}" is Jobdeck's own queue: these operations are Celery's remote control`);
    throw new UnknownSourceError(name, [NATIVE_SOURCE, ...all.map((s) => s.name)]);
  }
  if (found.kind !== "celery") throw new QueueError("invalid_input", `source "${name}" is a ${found.kind} source: these operations are Celery's remote control`);
  return found;
}
