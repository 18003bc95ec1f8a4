// Queue timing knobs, read from the environment once per call site.
function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return n;
}

export function queueConfig() {
  return {
    /** How long a claim holds a job without a heartbeat. */
    leaseSeconds: positiveNumber("JOBDECK_LEASE_SECONDS", 60),
    /** How often a worker heartbeats itself and extends its leases. */
    heartbeatSeconds: positiveNumber("JOBDECK_HEARTBEAT_SECONDS", 5),
    /** A worker silent for longer than this is shown offline. */
    workerOfflineAfterSeconds: positiveNumber("JOBDECK_WORKER_OFFLINE_AFTER_SECONDS", 30),
  };
}
