// `jobdeck recover-stale`: running jobs whose lease expired go back to pending (or dead / cancelled),
// in one transaction with its audit row; `--worker ID` only one offline worker's, and `--force`
// also that worker's live leases (audited as forced).
import { recordAudit } from "../../audit/record";
import { recoverStaleJobs } from "../../operations/bulk";
import { type RecoveredJob, recoverStale } from "../../queue/lease";
import { parseOptions } from "../args";
import type { Command } from "../commands";
import { usageError } from "../errors";
import { printable } from "../text";
import { cliActionContext, isNativeSource, skippedText, withSource } from "./sources";
import { cliActor, err, num, outLines, plural, withDb } from "./support";

/** recoverStale's own cap; more than this many stale jobs take more than one transaction. */
const BATCH = 10_000;

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export const recoverStaleCommand: Command = {
  summary: "put running jobs with expired leases back to pending",
  help: `Usage: jobdeck recover-stale [--worker ID [--force]] [--reason TEXT] [--source NAME]

Finds running jobs whose lease expired (their worker died or hung) and puts them back to
pending, to run again now. A job with no attempts left becomes dead; a job with a pending
cancel request becomes cancelled. The lost attempt is closed as "lost" in the attempt history.
Live leases are never touched, unless --force says so for one worker. Each transaction (up to
${num(BATCH)} jobs) writes its audit row (action "jobs.recover_stale", actor cli:<user>@<host>);
when nothing was stale, nothing is written.

Options:
  --worker ID      only the jobs of this worker, which must be offline (no heartbeat within
                   JOBDECK_WORKER_OFFLINE_AFTER_SECONDS; refused with exit 1 while it is online)
  --force          with --worker: also release the jobs whose lease has not expired yet. The
                   worker may only be paused (GC, network) and still be running them: they
                   could run twice. Use it only when the worker is known to be gone. Audited
                   as forced.
  --reason TEXT    why, for the audit log
  --source NAME    another job system named in JOBDECK_SOURCES: its stale jobs (all, or with
                   --worker the jobs that worker holds, where the source records workers),
                   recovered through its library's own functions and audited by the source as
                   "cli.jobs.recover_stale". A source that cannot (read-only, or pg-boss with
                   --worker: it records no worker) exits 2 naming the capability. Output: the
                   recovered job keys on stdout; on stderr "recovered N stale jobs of source
                   NAME" and the skipped ones by reason.

Output: the recovered job ids on stdout, one per line; on stderr a summary,
  recovered 3 stale jobs (pending: 2, dead: 1)
or "no stale jobs". With --worker (and no --force), how many of its jobs are still leased and
until when. Exit code 0 in these cases.

Examples:
  jobdeck recover-stale --reason "worker host web-3 was rebooted"
  jobdeck recover-stale --worker web-3:4121 --force --reason "web-3 is powered off"
  jobdeck recover-stale | jobdeck jobs cancel     # recover, then cancel them instead
  jobdeck recover-stale --source mail --reason "worker pool mail-2 crashed"`,

  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { reason: { type: "string" }, worker: { type: "string" }, force: { type: "boolean" }, source: { type: "string" } },
      { positionals: true },
    );
    if (positionals.length) throw usageError(`unexpected argument "${positionals[0]}"`);
    if (values.force && values.worker === undefined) throw usageError("--force applies to one offline worker's jobs: give --worker ID");
    if (values.worker !== undefined && !values.worker.trim()) throw usageError("--worker needs a worker id");
    if (!isNativeSource(values.source)) return recoverSource(values.source!, values.worker?.trim(), values.force === true, values.reason);
    if (values.worker !== undefined) return recoverWorker(values.worker.trim(), values.force === true, values.reason);
    const recovered = await withDb(async (db) => {
      const all: RecoveredJob[] = [];
      for (;;) {
        const rows = await db.tx(async (q) => {
          const r = await recoverStale(q, { limit: BATCH });
          if (r.length) {
            const byState: Record<string, number> = {};
            for (const j of r) byState[j.state] = (byState[j.state] ?? 0) + 1;
            await recordAudit(q, {
              actor: cliActor(),
              action: "jobs.recover_stale",
              targetIds: r.map((j) => j.id),
              affected: r.length,
              reason: values.reason ?? null,
              outcome: "ok",
              details: { by_state: byState, workers: [...new Set(r.map((j) => j.lockedBy))].slice(0, 50) },
            });
          }
          return r;
        });
        all.push(...rows);
        if (rows.length < BATCH) return all;
      }
    });
    outLines(recovered.map((j) => j.id));
    if (!recovered.length) {
      err("no stale jobs\n");
      return;
    }
    const counts = new Map<string, number>();
    for (const j of recovered) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
    err(`recovered ${plural(recovered.length, "stale job")} (${stateText(counts)})\n`);
  },
};

function stateText(counts: Map<string, number> | Record<string, number>): string {
  const get = (s: string) => (counts instanceof Map ? counts.get(s) : counts[s]) ?? 0;
  return ["pending", "dead", "cancelled"].filter((s) => get(s) > 0).map((s) => `${s}: ${num(get(s))}`).join(", ");
}

/** One offline worker's jobs, the same operation as the UI's "Recover its jobs" and the API's worker_id. */
async function recoverWorker(workerId: string, force: boolean, reason: string | undefined): Promise<void> {
  const r = await withDb((db) => recoverStaleJobs(db, { target: { workerId, force }, actor: cliActor(), reason: reason ?? null }));
  outLines(r.ids);
  const left = r.still_leased;
  const leased = left && left.count > 0 ? `; ${plural(left.count, "job")} still leased (the first lease ends ${iso(left.soonest_expiry!)}, the last ${iso(left.last_expiry!)})` : "";
  if (!r.recovered) err(`no stale jobs of worker ${workerId}${leased}\n`);
  else err(`recovered ${plural(r.recovered, force ? "job" : "stale job")} of worker ${workerId}${force ? " (forced)" : ""} (${stateText(r.by_state)})${leased}\n`);
}

/** Another source's stale jobs: all of them, or one worker's (where the source records workers). */
async function recoverSource(name: string, worker: string | undefined, force: boolean, reason: string | undefined): Promise<void> {
  await withSource(name, async (source, db) => {
    const target = worker === undefined ? { all: true as const } : { workers: [worker] };
    const r = await source.recoverStale({ target, force }, cliActionContext(db, reason));
    outLines(r.keys.map(printable));
    const skipped = Object.values(r.skipped).some((n) => n > 0) ? `; skipped ${skippedText(r.skipped)}` : "";
    const of = worker === undefined ? `source ${source.name}` : `worker ${printable(worker)} of source ${source.name}`;
    err(r.affected ? `recovered ${plural(r.affected, force ? "job" : "stale job")} of ${of}${force ? " (forced)" : ""}${skipped}\n` : `no stale jobs of ${of}${skipped}\n`);
  });
}
