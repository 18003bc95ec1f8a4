// `jobdeck jobs list --source NAME`: another source's jobs through its Source (never its tables),
// newest first, walked by the source's own cursor up to --limit. The table shows the key and the
// library's state beside Jobdeck's; NDJSON lines carry the native line's fields plus key, source
// and native_state (`id` is the key), and the payload read job by job through source.getJob.
import type { JobFilter } from "../../filters/job-filter";
import type { Redaction } from "../../redact";
import type { Source, SourceJob, SourceJobDetail } from "../../sources/types";
import { jsonLine } from "../text";
import { ago, cell, err, firstLine, num, out, outLines, table } from "./support";
import { withSource } from "./sources";

/** Jobs asked of the source per page. */
const PAGE = 500;

/** The NDJSON shape of another source's job: the native line's keys, `id` = `key`, plus source and native_state. */
export function sourceJobToJson(source: string, j: SourceJob, d: SourceJobDetail | null, r: Redaction) {
  return {
    id: j.key,
    key: j.key,
    source,
    kind: j.kind,
    queue: j.queue,
    state: j.state,
    native_state: j.nativeState,
    attempts: j.attempts,
    max_attempts: j.maxAttempts,
    priority: j.priority,
    payload: d ? r.json(d.job.payload) : null,
    last_error: d ? d.job.lastError : j.errorLine,
    locked_by: j.state === "running" ? j.worker : null,
    locked_until: j.lockedUntil,
    created_at: j.createdAt,
    run_at: j.runAt,
    finished_at: j.finishedAt,
  };
}

async function details(source: Source, jobs: SourceJob[]): Promise<(SourceJobDetail | null)[]> {
  const outList: (SourceJobDetail | null)[] = [];
  // Two at a time: the source's pool is small and shared.
  for (let i = 0; i < jobs.length; i += 2) outList.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => source.getJob(j.key)))));
  return outList;
}

export async function listSourceJobs(name: string, filter: JobFilter, format: "table" | "ndjson", r: Redaction): Promise<void> {
  const { limit, beforeId: _b, afterId: _a, ...criteria } = filter;
  await withSource(name, async (source) => {
    const rows: string[][] = [];
    let before: string | undefined;
    let seen = 0;
    let more = false;
    const now = Date.now();
    while (seen < limit) {
      const page = await source.listJobs({ criteria, limit: Math.min(PAGE, limit - seen), before });
      seen += page.jobs.length;
      if (format === "ndjson") {
        const d = await details(source, page.jobs);
        // A job the source removed between the list and its read is printed from the list, without payload.
        outLines(page.jobs.map((j, i) => jsonLine(sourceJobToJson(source.name, j, d[i], r))));
      } else {
        for (const j of page.jobs) {
          rows.push([
            j.key,
            cell(j.kind, 40),
            cell(j.queue, 24),
            j.nativeState === j.state ? j.state : `${j.state} (${j.nativeState})`,
            `${j.attempts}/${j.maxAttempts ?? "-"}`,
            String(j.priority),
            ago(new Date(j.createdAt), now),
            firstLine(j.errorLine, 80),
          ]);
        }
      }
      more = page.next !== null;
      if (!more || !page.jobs.length) break;
      before = page.next!;
    }
    if (format === "ndjson") return;
    if (!rows.length) return err("no jobs match\n");
    out(table(["KEY", "KIND", "QUEUE", "STATE", "ATTEMPTS", "PRIO", "AGE", "LAST ERROR"], rows, [4, 5, 6]));
    if (more) err(`showing ${num(rows.length)} jobs (limit reached; narrow the filter or raise --limit)\n`);
  });
}
