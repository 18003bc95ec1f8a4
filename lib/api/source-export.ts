// NDJSON in and out for another source: the export (GET /api/v1/admin/jobs/export?source=…) and
// the keys of an NDJSON retry body. The export walks the source's job list by its own cursor and
// reads each job in full through source.getJob — the Source interface has no batch read of
// payloads — a few at a time, so a line carries the same fields as the job detail plus the
// payload, masked by the caller's redaction rule like the native export. Bounded by `limit` and
// streamed page by page as the client reads; a job the source removed between its list and its
// read is left out.
import "server-only";
import { redactionFor, type Caller } from "../auth/caller";
import type { JobCriteria } from "../filters/job-filter";
import type { Source, SourceJobDetail } from "../sources/types";
import { cappedLines, MAX_NDJSON_BODY_BYTES } from "./body";
import { badRequest, NO_STORE } from "./errors";
import { MAX_EXPLICIT_IDS } from "../operations/inputs";
import { foreignDetailJob } from "./source-jobs";

/** Jobs listed per page of the export. */
const EXPORT_PAGE = 200;
/** Jobs read in full at once: the guest pool is small (JOBDECK_SOURCE_POOL_SIZE, default 3) and pages share it. */
const READ_CONCURRENCY = 2;

async function readAll(source: Source, keys: string[]): Promise<(SourceJobDetail | null)[]> {
  const out: (SourceJobDetail | null)[] = new Array(keys.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      out[i] = await source.getJob(keys[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, keys.length) }, worker));
  return out;
}

async function* exportPages(source: Source, criteria: JobCriteria, cursor: string | undefined, limit: number, caller: Caller): AsyncGenerator<string> {
  const r = redactionFor(caller);
  let before = cursor;
  let left = limit;
  while (left > 0) {
    const page = await source.listJobs({ criteria, limit: Math.min(EXPORT_PAGE, left), before });
    const details = await readAll(source, page.jobs.map((j) => j.key));
    const lines = details.filter((d): d is SourceJobDetail => d !== null).map((d) => JSON.stringify({ ...foreignDetailJob(source.name, d), payload: r.json(d.job.payload) }));
    if (lines.length) yield lines.join("\n") + "\n";
    left -= page.jobs.length;
    if (page.next === null || !page.jobs.length) return;
    before = page.next;
  }
}

/** The export's response. Its first page is read before answering, so a bad cursor, a missing capability or an unreachable source is a 4xx/503, not a 200 with an error line. */
export async function exportForeignJobs(source: Source, criteria: JobCriteria, opts: { cursor?: string; limit: number; caller: Caller }): Promise<Response> {
  const pages = exportPages(source, criteria, opts.cursor, opts.limit, opts.caller);
  const first = await pages.next();
  const encoder = new TextEncoder();
  let pending: string | null = first.done ? null : first.value;
  let done = first.done === true;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (pending !== null) {
          controller.enqueue(encoder.encode(pending));
          pending = null;
          return;
        }
        if (done) return controller.close();
        const { value, done: end } = await pages.next();
        if (end) return controller.close();
        controller.enqueue(encoder.encode(value));
      } catch (err) {
        console.error(`[jobdeck] api export of source ${source.name} failed mid-stream:`, err);
        controller.enqueue(encoder.encode(JSON.stringify({ error: { code: "internal", message: "the export stopped early; the details were logged" } }) + "\n"));
        done = true;
        controller.close();
      }
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
  return new Response(stream, { headers: { ...NO_STORE, ...redactionFor(opts.caller).headers, "content-type": "application/x-ndjson; charset=utf-8" } });
}

/**
 * The keys of an NDJSON body for `source`: each line a JSON object with the job's `key` (as the
 * export writes it) or `id`; a line of another source's export is refused by its `source`.
 * Read as the body arrives, at most MAX_NDJSON_BODY_BYTES (413 beyond).
 */
export async function ndjsonKeys(request: Request, source: Source): Promise<string[]> {
  const keys = new Set<string>();
  let i = 0;
  for await (const raw of cappedLines(request, MAX_NDJSON_BODY_BYTES, "NDJSON")) {
    i++;
    const line = raw.trim();
    if (!line) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw badRequest(`line ${i}: not JSON (${(err as Error).message})`, { body: [`line ${i}: not JSON`] });
    }
    const o = (typeof v === "object" && v !== null ? v : {}) as { key?: unknown; id?: unknown; source?: unknown };
    if (typeof o.source === "string" && o.source !== source.name) {
      throw badRequest(`line ${i}: a job of source "${o.source.slice(0, 60)}", not "${source.name}"`, { body: [`line ${i}: another source's job`] });
    }
    const rawKey = typeof o.key === "string" ? o.key : typeof o.id === "string" || typeof o.id === "number" ? String(o.id) : null;
    const key = rawKey === null ? null : source.parseKey(rawKey);
    if (key === null) throw badRequest(`line ${i}: each line must be a JSON object with the "key" (or "id") of a job of source "${source.name}"`, { body: [`line ${i}: no job key`] });
    keys.add(key);
    if (keys.size > MAX_EXPLICIT_IDS) throw badRequest(`at most ${MAX_EXPLICIT_IDS.toLocaleString("en-US")} lines at once; split the input`);
  }
  if (!keys.size) throw badRequest("the NDJSON body has no lines");
  return [...keys];
}
