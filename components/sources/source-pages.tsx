// The workers and stale-locks sections of another source (server components): read through the
// source, with the capability sentence where the library keeps less than Jobdeck does, and the
// unreachable-source banner instead of data when it cannot be read.
import { describeDbError } from "@/db/outage";
import type { Source, SourceInfo, SourceStaleJob, SourceWorker } from "@/lib/sources/types";
import { formatCount } from "../format";
import { Empty, Panel } from "../overview/panel";
import { SourceStaleTable } from "../stale/source-stale-table";
import { SourceWorkersTable } from "../workers/source-workers-table";
import { CeleryWorkerControls } from "../celery/worker-controls";
import { CapabilityNote } from "./capability-note";
import { SourceUnavailable } from "./source-unavailable";

async function read<T>(source: Source, what: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const error = (err as { detail?: string }).detail ?? describeDbError(err);
    console.error(`[jobdeck] ${what} of ${source.name}: ${error}`);
    return { ok: false, error };
  }
}

export async function SourceWorkersSection({ source, info, now }: { source: Source; info: SourceInfo; now: number }) {
  const r = await read(source, "workers", () => source.listWorkers());
  if (!r.ok) return <SourceUnavailable source={source.name} location={info.location} reason={r.error} />;
  const workers: SourceWorker[] = r.value;
  // Celery's remote control, for the workers that can answer it (online), unless the source is read-only.
  const controls =
    info.kind === "celery" && !info.readOnly
      ? Object.fromEntries(workers.filter((w) => w.status === "online").map((w) => [w.id, <CeleryWorkerControls key={w.id} source={source.name} hostname={w.id} />]))
      : undefined;
  return (
    <>
      <CapabilityNote capability={info.capabilities.workers} source={source.name} testId="workers-capability" />
      <Panel id="workers" title={`Workers · ${source.name}`} note={`${formatCount(workers.length)} shown`}>
        {workers.length === 0 ? (
          <Empty>{info.capabilities.workers.supported ? "No worker of this source is running." : "No worker holds a job right now."}</Empty>
        ) : (
          <SourceWorkersTable workers={workers} source={source.name} now={now} controls={controls} />
        )}
      </Panel>
    </>
  );
}

export async function SourceStaleSection({ source, info }: { source: Source; info: SourceInfo }) {
  const r = await read(source, "stale jobs", () => source.listStale());
  if (!r.ok) return <SourceUnavailable source={source.name} location={info.location} reason={r.error} />;
  const rows: SourceStaleJob[] = r.value;
  const recover = info.capabilities.recoverStale;
  return (
    <>
      <CapabilityNote capability={info.capabilities.stale} source={source.name} />
      {recover.supported ? null : <CapabilityNote capability={recover} source={source.name} testId="recover-capability" />}
      <Panel id="stale" title={`Stale running jobs · ${source.name}`} note={`${formatCount(rows.filter((x) => x.leaseExpired).length)} lock expired`}>
        {rows.length === 0 ? (
          <p className="px-3 py-6 text-sm" data-testid="stale-empty">
            <span aria-hidden="true" className="mr-1 text-ok">●</span>
            No stale locks in {source.name}.
          </p>
        ) : (
          <SourceStaleTable rows={rows} source={source.name} library={info.library} canRecoverHere={recover.supported} />
        )}
      </Panel>
    </>
  );
}
