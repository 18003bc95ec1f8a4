// `jobdeck jobs retry|cancel --source NAME`: another source's jobs by key, from the arguments or
// piped NDJSON (`jobs list --source NAME --format ndjson`), changed through source.apply — the
// library's own functions, audited by the adapter as cli.jobs.* with the source and the keys.
// Every key is read before anything changes; the adapter checks them all before it acts.
import type { SourceAction } from "../../sources/types";
import { usageError } from "../errors";
import { printable } from "../text";
import { cliActionContext, notFoundCount, parseKeyArgs, parseKeyLines, skippedText, withSource } from "./sources";
import { err, num, out, plural, readStdinLines, stdinIsPiped } from "./support";

const DONE: Record<"retry" | "cancel", string> = { retry: "retried", cancel: "cancelled" };

export async function runSourceBulk(name: string, action: "retry" | "cancel", positionals: string[], reason: string | undefined, includeCompleted: boolean): Promise<number> {
  if (!positionals.length && !stdinIsPiped()) throw usageError(`give job keys as arguments, or pipe NDJSON (jobs list --source ${name} --format ndjson) on stdin`);
  const lines = positionals.length ? null : await readStdinLines();
  return withSource(name, async (source, db) => {
    const keys = [...new Set(lines ? parseKeyLines(source, lines) : parseKeyArgs(source, positionals))];
    if (!keys.length) {
      // An empty pipe (nothing matched upstream): nothing to change, nothing to audit.
      out(`${DONE[action]} 0 jobs; skipped 0; not found: 0\n`);
      return 0;
    }
    const input = { action: action as SourceAction, target: { keys }, includeCompleted: action === "retry" && includeCompleted };
    const r = await source.apply(input, cliActionContext(db, reason));
    const missing = notFoundCount(r.skipped);
    const skipped = Object.fromEntries(Object.entries(r.skipped).filter(([reason]) => !reason.startsWith("not found")));
    for (const [why, n] of Object.entries(r.skipped)) err(`${plural(n, "job")}: ${printable(why)}\n`);
    out(`${DONE[action]} ${plural(r.affected, "job")}; skipped ${skippedText(skipped)}; not found: ${num(missing)}\n`);
    return missing ? 1 : 0;
  });
}
