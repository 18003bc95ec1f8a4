// The one door of the bulk server actions (retry, cancel, priority, run now and their preview) for
// every source: the native queue keeps its own path (lib/operations/bulk, unchanged); a foreign
// source goes through its adapter (lib/sources), with the same admin-threshold guard, and its
// answers come back in the native result shapes so one dialog and one toast serve every source.
import "server-only";
import type { JobCriteria } from "../filters/job-filter";
import { applyBulk, type BulkAction, type BulkApplyResult, type BulkPreview, bulkLimitCount, previewBulk } from "../operations/bulk";
import { QueueError } from "../queue/state-machine";
import { sourceFromParam } from "../server/sources";
import { countSkipped } from "../sources/capabilities";
import { parseNativeKey } from "../sources/native";
import type { ActionInput, ActionTarget, Capability, Source, SourceAction } from "../sources/types";
import type { ActionContext } from "./safe-action";

export interface BulkDoorInput {
  source?: string;
  ids?: number[];
  keys?: string[];
  filter?: JobCriteria;
  limit?: number;
}

export interface BulkDoorOptions {
  includeCompleted?: boolean;
  priority?: number;
  reason?: string | null;
}

const SOURCE_ACTION: Record<BulkAction, SourceAction & Capability> = { retry: "retry", cancel: "cancel", setPriority: "priority", runNow: "runNow" };

type Resolved = { native: true; target: { ids: number[]; filter?: undefined; limit?: undefined } | { filter: JobCriteria; ids?: undefined; limit?: number } } | { native: false; source: Source; target: ActionTarget };

async function resolve(input: BulkDoorInput): Promise<Resolved> {
  const source = await sourceFromParam(input.source);
  if (source.kind === "jobdeck") {
    if (input.filter) return { native: true, target: { filter: input.filter, limit: input.limit } };
    const ids =
      input.ids ??
      input.keys!.map((k) => {
        const id = parseNativeKey(k);
        if (id === null) throw new QueueError("invalid_input", `"${k.slice(0, 60)}" is not a job id`);
        return Number(id);
      });
    return { native: true, target: { ids } };
  }
  if (input.limit !== undefined) throw new QueueError("invalid_input", `a limit is not supported for source "${source.name}": select the jobs or narrow the filter`);
  if (input.ids) return { native: false, source, target: { keys: input.ids.map(String) } };
  return { native: false, source, target: input.filter ? { criteria: input.filter } : { keys: input.keys! } };
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

// The adapter checks its own capabilities (an unreachable source then answers "unavailable", not "cannot").
function foreignInput(action: BulkAction, target: ActionTarget, o: BulkDoorOptions): ActionInput {
  return { action: SOURCE_ACTION[action], target, priority: o.priority, includeCompleted: o.includeCompleted };
}

/** Runs a bulk action on the input's source, audited, with the caller's admin-threshold guard. */
export async function applyBulkDoor(ctx: ActionContext, action: BulkAction, input: BulkDoorInput, o: BulkDoorOptions = {}): Promise<BulkApplyResult> {
  const r = await resolve(input);
  if (r.native) {
    return applyBulk(ctx.db, { action, ...r.target, includeCompleted: o.includeCompleted, priority: o.priority, reason: o.reason, actor: ctx.actor, guard: ctx.bulkGuard });
  }
  const res = await r.source.apply(foreignInput(action, r.target, o), {
    control: ctx.db,
    actor: ctx.actor,
    reason: o.reason ?? null,
    auditPrefix: "jobs",
    guard: ctx.bulkGuard,
  });
  return {
    action,
    matched: res.matched,
    affected: res.affected,
    cancel_requested: 0,
    skipped_running: countSkipped(res.skipped, "running"),
    skipped: res.skipped,
    not_found: countSkipped(res.skipped, "not found"),
    ids: [],
    ids_truncated: false,
    batches: res.auditIds.length,
  };
}

/** What the action would do now, and the count the admin-threshold rule judges it by. */
export async function previewBulkDoor(ctx: ActionContext, action: BulkAction, input: BulkDoorInput, o: BulkDoorOptions = {}): Promise<{ preview: BulkPreview; count: number }> {
  const r = await resolve(input);
  if (r.native) {
    const preview = await previewBulk(ctx.db, { action, ...r.target, includeCompleted: o.includeCompleted, priority: o.priority ?? 0 });
    return { preview, count: bulkLimitCount(r.target, preview) };
  }
  const p = await r.source.preview(foreignInput(action, r.target, o));
  const preview: BulkPreview = {
    action,
    matched: p.matched,
    will_change: p.willChange,
    will_request_cancel: 0,
    will_skip: sum(p.skipped),
    skipped_running: countSkipped(p.skipped, "running"),
    skip_by_state: p.skipped,
    by_state: {},
    not_found: countSkipped(p.skipped, "not found"),
  };
  return { preview, count: r.target.keys ? r.target.keys.length : p.willChange };
}
