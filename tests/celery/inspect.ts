// Celery's own word on a worker's state, for the remote-control tests: `inspect` through
// Debian's celery (`app.control.inspect(...).<method>()`, what `celery inspect <method>` runs),
// so a revoke or terminate sent by Jobdeck is checked by Celery itself.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { PYTHON } from "../helpers/celery";

const FIXTURE_DIR = path.resolve(import.meta.dirname, "../fixtures/celery");

/** `celery inspect <method>` against one worker: its reply (null when it did not answer). */
export function inspectWorker(broker: string, hostname: string, method: "revoked" | "active" | "reserved" | "stats" | "scheduled"): unknown {
  const script = `
import json, sys
from jobdeck_celery_fixture import app
r = getattr(app.control.inspect(destination=[sys.argv[1]], timeout=3), sys.argv[2])() or {}
print(json.dumps(r.get(sys.argv[1]), default=str))
`;
  const r = spawnSync(PYTHON, ["-c", script, hostname, method], {
    cwd: FIXTURE_DIR,
    env: { ...process.env, PYTHONPATH: FIXTURE_DIR, JOBDECK_CELERY_BROKER: broker },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`celery inspect ${method} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}
