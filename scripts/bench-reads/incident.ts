// The incident scenario of the read benchmark (issue 13): the backlog explodes — 2,000,000 jobs
// of which 1,000,000 are a burst of ready pending jobs — and everyone opens the overview, scripts
// poll GET /api/v1/admin/jobs and a monitor polls GET /api/v1/stats. Each read is timed on that
// database and on a quiet 20,000-job one (the same database name, reseeded), and the ratio of
// the p50s is the proof that cost does not grow with the backlog (target ≤ 2×).
// The overview is timed through lib/queries (getOverview), and so is the list's summary computed
// afresh (getJobsSummary). The two API reads go over HTTP to `next start` when a production build
// exists, one request at a time and paced past their shared-result windows (STATS_TTL_MS 2 s, so
// each stats request counts afresh; the list's summary refreshes at most once a second and a
// request may get the previous one while that runs); without a build, the list is timed through
// the calls its route makes (getJobsSummary + listApiJobs) and /api/v1/stats is skipped.
import pg from "pg";
import { type Database, openDatabase } from "../../db/client";
import { migrate } from "../../db/migrate";
import { getJobsSummary, listApiJobs } from "../../lib/api/jobs";
import { parseJobFilter } from "../../lib/filters/job-filter";
import { getOverview } from "../../lib/queries/overview";
import { hasBuild, startServer } from "./http";
import { ms, type Stats, stats } from "./measure";
import { seed } from "./seed";

export const INCIDENT_RATIO_TARGET = 2;
const SCALES = [
  { label: "20k jobs", jobs: 20_000, backlog: 0 },
  { label: "incident: 2M jobs, 1M pending", jobs: 2_000_000, backlog: 1_000_000 },
];
/** Past the shared-result windows of the API (stats 2 s after it finished, the jobs summary's refresh 1 s). */
const PACE_MS = 2_100;

export interface IncidentRead {
  name: string;
  quiet: Stats;
  incident: Stats;
  ratio_p50: number;
  ok: boolean;
}

interface Options {
  /** The incident database (dropped and recreated for each scale). */
  databaseUrl: string;
  admin: (sql: string) => Promise<void>;
  reps: number;
  port: number;
  log: (s: string) => void;
}

async function timeReps(reps: number, fn: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < 2; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

async function fetchOk(url: string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
}

/** The three reads on one seeded database: name → timings. */
async function measureScale(db: Database, databaseUrl: string, o: Options): Promise<Map<string, Stats>> {
  const out = new Map<string, Stats>();
  out.set("overview (range=24h)", await timeReps(o.reps, () => getOverview({ q: db, range: "24h" })));
  // A client polling the list may get a shared summary up to a few seconds old; this is the cost
  // of computing it afresh, which the server pays about once a second under load.
  out.set("API jobs summary, computed afresh (lib getJobsSummary)", await timeReps(o.reps, () => getJobsSummary(db)));
  if (!hasBuild()) {
    out.set("API jobs list (lib: getJobsSummary + listApiJobs)", await timeReps(o.reps, () => Promise.all([getJobsSummary(db), listApiJobs(db, parseJobFilter({ limit: 50 }))])));
    return out;
  }
  const server = await startServer(db, databaseUrl, o.port);
  try {
    const list = `${server.url}/api/v1/admin/jobs?per_page=50`;
    const statsUrl = `${server.url}/api/v1/stats`;
    const listMs: number[] = [];
    const statsMs: number[] = [];
    await fetchOk(list, server.headers);
    await new Promise((r) => setTimeout(r, PACE_MS));
    for (let i = 0; i < o.reps; i++) {
      let t = performance.now();
      await fetchOk(list, server.headers);
      listMs.push(performance.now() - t);
      t = performance.now();
      await fetchOk(statsUrl, {});
      statsMs.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
    out.set("GET /api/v1/admin/jobs?per_page=50 (HTTP)", stats(listMs));
    out.set("GET /api/v1/stats (HTTP)", stats(statsMs));
  } finally {
    await server.stop();
  }
  return out;
}

export async function incidentScenario(o: Options): Promise<IncidentRead[]> {
  const name = decodeURIComponent(new URL(o.databaseUrl).pathname.slice(1));
  const results: Map<string, Stats>[] = [];
  for (const scale of SCALES) {
    await o.admin(`drop database if exists "${name}" with (force)`);
    await o.admin(`create database "${name}"`);
    const db = await openDatabase({ databaseUrl: o.databaseUrl, max: 10, applicationName: "jobdeck-bench-incident" });
    const client = new pg.Client({ connectionString: o.databaseUrl, application_name: "jobdeck-bench-incident-seed" });
    await client.connect();
    try {
      await migrate(db);
      o.log(`  seeding ${scale.label}`);
      await seed(client, scale.jobs, (s) => o.log(`  ${s}`), { backlog: scale.backlog });
      results.push(await measureScale(db, o.databaseUrl, o));
    } finally {
      await client.end().catch(() => {});
      await db.close().catch(() => {});
    }
  }
  const [quiet, incident] = results;
  const reads = [...quiet.keys()].map((read) => {
    const q = quiet.get(read)!;
    const i = incident.get(read)!;
    const ratio_p50 = i.p50 / q.p50;
    return { name: read, quiet: q, incident: i, ratio_p50, ok: ratio_p50 <= INCIDENT_RATIO_TARGET };
  });
  o.log(`  (ms, ${o.reps} reps each${hasBuild() ? "; HTTP requests one at a time, paced past the shared-result windows" : ""})`);
  for (const r of reads) {
    o.log(
      `  ${r.name}: 20k p50 ${ms(r.quiet.p50)} / p95 ${ms(r.quiet.p95)}; incident p50 ${ms(r.incident.p50)} / p95 ${ms(r.incident.p95)}; ratio (p50) ${r.ratio_p50.toFixed(2)}× — target ≤ ${INCIDENT_RATIO_TARGET}×: ${r.ok ? "ok" : "MISSED"}`,
    );
  }
  if (!hasBuild()) o.log("  GET /api/v1/stats: skipped (no production build; run `npx next build` first)");
  return reads;
}
