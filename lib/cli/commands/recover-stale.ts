// `jobdeck recover-stale`: running jobs whose lease expired go back to pending (or dead / cancelled),
// in one transaction with its audit row.
import { recordAudit } from "../../audit/record";
import { type RecoveredJob, recoverStale } from "../../queue/lease";
import { parseOptions } from "../args";
import type { Command } from "../commands";
import { usageError } from "../errors";
import { cliActor, err, num, outLines, plural, withDb } from "./support";

/** recoverStale's own cap; more than this many stale jobs take more than one transaction. */
const BATCH = 10_000;

export const recoverStaleCommand: Command = {
  summary: "put running jobs with expired leases back to pending",
  help: `Usage: jobdeck recover-stale [--reason TEXT]

Finds running jobs whose lease expired (their worker died or hung) and puts them back to
pending, to run again now. A job with no attempts left becomes dead; a job with a pending
cancel request becomes cancelled. The lost attempt is closed as "lost" in the attempt history.
Live leases are never touched. Each transaction (up to ${num(BATCH)} jobs) writes its audit row
(action "jobs.recover_stale", actor cli:<user>@<host>); when nothing was stale, nothing is
written.

Options:
  --reason TEXT    why, for the audit log

Output: the recovered job ids on stdout, one per line; on stderr a summary,
  recovered 3 stale jobs (pending: 2, dead: 1)
or "no stale jobs". Exit code 0 in both cases.

Examples:
  jobdeck recover-stale --reason "worker host web-3 was rebooted"
  jobdeck recover-stale | jobdeck jobs cancel     # recover, then cancel them instead`,

  async run(args) {
    const { values, positionals } = parseOptions(args, { reason: { type: "string" } }, { positionals: true });
    if (positionals.length) throw usageError(`unexpected argument "${positionals[0]}"`);
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
    const parts = ["pending", "dead", "cancelled"].filter((s) => counts.has(s)).map((s) => `${s}: ${num(counts.get(s)!)}`);
    err(`recovered ${plural(recovered.length, "stale job")} (${parts.join(", ")})\n`);
  },
};
