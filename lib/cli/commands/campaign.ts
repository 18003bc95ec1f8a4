// `jobdeck campaign create|show|resume|cancel`: long bulk runs over an ordered source, in
// batches. Every change is one transaction with its audit row; resume and cancel run the same
// operations as the UI and API (lib/operations/campaigns), so a refusal is audited as refused.
import { recordAudit } from "../../audit/record";
import { cancelCampaignOp, resumeCampaignOp } from "../../operations/campaigns";
import { type CampaignAggregate, getCampaignAggregate } from "../../queries/campaigns";
import { createCampaign } from "../../queue";
import { parseOptions } from "../args";
import type { Command } from "../commands";
import { CliError, EXIT_FAILURE, usageError } from "../errors";
import { redaction } from "../../redact";
import { jsonLine, printable } from "../text";
import { ago, cell, cliActor, err, firstLine, intOption, joinNegativeValues, num, out, parseId, plural, table, withDb } from "./support";

const MAX_POSITION = Number.MAX_SAFE_INTEGER;

function oneId(positionals: string[], usage: string): number {
  if (positionals.length !== 1) throw usageError(`expected one campaign id (${usage})`);
  return parseId(positionals[0], "campaign id");
}

export const campaignCreateCommand: Command = {
  summary: "start a campaign: a bulk run over an ordered source, in batches",
  help: `Usage: jobdeck campaign create --name N --kind K [--queue Q] --batch-size N [--total N]
                              [--params JSON] [--start-position N]

Creates a campaign and enqueues its first batch job (kind K, payload
{start_position, batch_size, params}). The worker's handler for K enqueues the batch's item
jobs and reports where the next batch starts; each completed batch chains the next one.

Options:
  --name N             a name for people
  --kind K             kind of the batch jobs
  --queue Q            queue of the batch and item jobs (default "default")
  --batch-size N       items per batch (positive whole number)
  --total N            size of the source, when known (the campaign completes there)
  --params JSON        a JSON object handed to every batch (default {})
  --start-position N   first position (default 0)

Output: the campaign id on stdout; on stderr
  created campaign 7 "catalog-2026" (batch job 123 from position 0)
Audited as "campaign.create" (actor cli:<user>@<host>) in the same transaction.
Exit codes: 0 created; 2 bad usage (nothing written); 1 other failure.

Examples:
  jobdeck campaign create --name catalog-2026 --kind catalog.ingest --batch-size 500 --total 120000 \\
    --params '{"bucket":"s3://catalog/2026"}'`,

  async run(args) {
    const { values, positionals } = parseOptions(
      joinNegativeValues(args, ["--batch-size", "--total", "--start-position"]),
      {
        name: { type: "string" },
        kind: { type: "string" },
        queue: { type: "string" },
        "batch-size": { type: "string" },
        total: { type: "string" },
        params: { type: "string" },
        "start-position": { type: "string" },
      },
      { positionals: true },
    );
    if (positionals.length) throw usageError(`unexpected argument "${positionals[0]}"`);
    if (!values.name?.trim()) throw usageError("--name is required and must not be empty");
    if (!values.kind?.trim()) throw usageError("--kind is required and must not be empty");
    if (values.queue !== undefined && !values.queue.trim()) throw usageError("--queue must not be empty");
    if (values["batch-size"] === undefined) throw usageError("--batch-size is required");
    const batchSize = intOption(values["batch-size"], "--batch-size", { min: 1, max: 1_000_000 })!;
    const total = intOption(values.total, "--total", { min: 1, max: MAX_POSITION });
    const startPosition = intOption(values["start-position"], "--start-position", { min: 0, max: MAX_POSITION });
    let params: Record<string, unknown> = {};
    if (values.params !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(values.params);
      } catch (e) {
        throw usageError(`--params is not valid JSON: ${(e as Error).message.split("\n")[0]}`);
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw usageError("--params must be a JSON object");
      params = parsed as Record<string, unknown>;
    }
    if (total !== undefined && startPosition !== undefined && startPosition >= total) {
      throw usageError(`--start-position ${num(startPosition)} is not below --total ${num(total)}`);
    }

    const actor = cliActor();
    const created = await withDb((db) =>
      db.tx(async (q) => {
        const r = await createCampaign(q, {
          name: values.name!,
          kind: values.kind!,
          queue: values.queue?.trim(),
          params,
          batchSize,
          totalItems: total ?? null,
          startPosition: startPosition ?? 0,
          createdBy: actor.name,
        });
        await recordAudit(q, {
          actor,
          action: "campaign.create",
          targetIds: [r.batchJobId],
          filter: { campaign_id: r.campaignId },
          affected: 1,
          outcome: "ok",
          details: { campaign_id: r.campaignId, name: values.name!.trim(), kind: values.kind!.trim(), batch_size: batchSize, total_items: total ?? null, start_position: startPosition ?? 0, batch_job_id: r.batchJobId },
        });
        return r;
      }),
    );
    out(`${created.campaignId}\n`);
    err(`created campaign ${created.campaignId} "${printable(values.name!.trim())}" (batch job ${created.batchJobId} from position ${num(startPosition ?? 0)})\n`);
  },
};

export const campaignResumeCommand: Command = {
  summary: "continue a campaign from its next_start_position",
  help: `Usage: jobdeck campaign resume <id> [--reason TEXT]

Enqueues a new batch job at the campaign's next_start_position, under the same campaign id,
and marks the campaign running. Refused (exit 1, nothing changed) while a batch of the
campaign is still pending, running or backing off (that batch moves the position itself),
when the campaign is cancelled, or when no items are left. Check \`jobdeck campaign show <id>\`
first for gaps and failed items.

Options:
  --reason TEXT    why, for the audit log

Output on stdout: resumed campaign 7 from position 3,500 (batch job 456)
Audited as "campaign.resume" in the same transaction; a refusal is audited as refused.
Exit codes: 0 resumed; 1 refused or not found (the message says why); 2 bad usage.

Examples:
  jobdeck campaign resume 7 --reason "catalog API quota restored"`,

  async run(args) {
    const { values, positionals } = parseOptions(args, { reason: { type: "string" } }, { positionals: true });
    const id = oneId(positionals, "jobdeck campaign resume <id>");
    const r = await withDb((db) => resumeCampaignOp(db, { campaignId: id, actor: cliActor(), reason: values.reason ?? null }));
    out(`resumed campaign ${id} from position ${num(r.start_position)} (batch job ${r.batch_job_id})\n`);
  },
};

export const campaignCancelCommand: Command = {
  summary: "cancel a campaign: no more batches, pending jobs cancelled",
  help: `Usage: jobdeck campaign cancel <id> [--reason TEXT]

Marks the campaign cancelled (no further batches are chained), cancels its pending and
backing-off batch and item jobs, and asks its running jobs to stop (their workers abort them at
the next heartbeat). Completed and dead jobs are left as they are.

Options:
  --reason TEXT    why, for the audit log

Output on stdout: cancelled campaign 7: 1,200 jobs cancelled; cancel requested for 4 running
Audited as "campaign.cancel" in the same transaction: one row per 1,000 jobs changed, naming
their ids (so \`/audit?job=<id>\` and each job's page show it); a refusal is audited as refused.
Exit codes: 0 cancelled; 1 refused or not found (the message says why); 2 bad usage.

Examples:
  jobdeck campaign cancel 7 --reason "wrong bucket"`,

  async run(args) {
    const { values, positionals } = parseOptions(args, { reason: { type: "string" } }, { positionals: true });
    const id = oneId(positionals, "jobdeck campaign cancel <id>");
    const r = await withDb((db) => cancelCampaignOp(db, { campaignId: id, actor: cliActor(), reason: values.reason ?? null }));
    out(`cancelled campaign ${id}: ${plural(r.cancelled, "job")} cancelled; cancel requested for ${num(r.cancel_requested)} running\n`);
  },
};

const STATE_ORDER = ["pending", "running", "failed", "completed", "dead", "cancelled"];

/** "running 1, completed 3" in lifecycle order. */
function byStateText(by: Record<string, number>): string {
  const rank = (s: string) => (STATE_ORDER.includes(s) ? STATE_ORDER.indexOf(s) : STATE_ORDER.length);
  const keys = Object.keys(by).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return keys.length ? keys.map((k) => `${k} ${num(by[k])}`).join(", ") : "none";
}

const iso = (d: Date | string | null) => (d == null ? "-" : new Date(d).toISOString().replace(/\.\d{3}Z$/, "Z"));

/** The human view of a campaign aggregate. */
export function renderCampaign(a: CampaignAggregate, now = Date.now()): string {
  const c = a.campaign;
  const lines: string[] = [];
  const kv = (k: string, v: string) => lines.push(`${k.padEnd(17)}${printable(v)}`);
  lines.push(`campaign ${c.id} "${cell(c.name, 80)}"  ${c.state}`);
  kv("kind", `${c.kind} (queue ${c.queue})`);
  kv("batch size", num(c.batch_size));
  const pct = c.total_items ? ` (${Math.floor((100 * a.next_start_position) / c.total_items)}%)` : "";
  kv("next position", `${num(a.next_start_position)}${c.total_items != null ? ` of ${num(c.total_items)}${pct}` : " (total unknown)"}`);
  kv("items done", `${num(a.progress.done)}${a.progress.total != null ? ` of ${num(a.progress.total)}` : ""}`);
  kv("created", `${iso(c.created_at)} by ${c.created_by} (updated ${ago(new Date(c.updated_at), now)} ago)`);
  kv("params", cell(JSON.stringify(c.params ?? {}), 100));
  lines.push("");
  kv("batches", `${num(a.batches.total)} (${byStateText(a.batches.by_state)})`);
  kv("item jobs", `${num(a.children.total)} (${byStateText(a.children.by_state)})`);
  kv(
    "duplicates",
    a.duplicates.count
      ? `${plural(a.duplicates.count, "item")} processed more than once`
      : "none",
  );
  kv(
    "gaps",
    a.gaps.count
      ? `${plural(a.gaps.count, "position")} below ${num(a.next_start_position)} without a completed item: ${a.gaps.ranges
          .slice(0, 10)
          .map((g) => (g.from === g.to ? num(g.from) : `${num(g.from)}..${num(g.to)}`))
          .join(", ")}${a.gaps.ranges.length > 10 ? ", ..." : ""}`
      : "none",
  );
  kv("failed items", a.failed_children.length ? `${num(a.failed_children.length)}${a.failed_children.length >= 100 ? "+" : ""}` : "none");
  let text = `${lines.join("\n")}\n`;
  if (a.batches.items.length) {
    const shown = a.batches.items.slice(0, 10);
    text += `\nlatest batches${a.batches.items.length > shown.length ? ` (${shown.length} of ${num(a.batches.total)})` : ""}:\n`;
    text += table(
      ["ID", "STATE", "POSITION", "ATTEMPTS", "STARTED", "FINISHED", "LAST ERROR"],
      shown.map((b) => [
        String(b.id),
        b.state,
        b.position == null ? "-" : num(b.position),
        String(b.attempts),
        b.started_at ? `${ago(new Date(b.started_at), now)} ago` : "-",
        b.finished_at ? `${ago(new Date(b.finished_at), now)} ago` : "-",
        firstLine(b.last_error, 60),
      ]),
      [0, 2, 3],
    );
  }
  if (a.duplicates.items.length) {
    text += `\nduplicates:\n`;
    text += table(
      ["ITEM KEY", "JOBS", "COMPLETED"],
      a.duplicates.items.slice(0, 20).map((d) => [cell(d.item_key, 60), d.job_ids.join(","), String(d.completed)]),
      [2],
    );
  }
  if (a.failed_children.length) {
    text += `\nfailed items:\n`;
    text += table(
      ["ID", "ITEM KEY", "POSITION", "STATE", "ATTEMPTS", "LAST ERROR"],
      a.failed_children.slice(0, 20).map((f) => [
        String(f.id),
        cell(f.item_key, 40),
        f.position == null ? "-" : num(f.position),
        f.state,
        String(f.attempts),
        firstLine(f.last_error, 60),
      ]),
      [0, 2, 4],
    );
  }
  return text;
}

export const campaignShowCommand: Command = {
  summary: "show a campaign: batches, items by state, duplicates, gaps",
  help: `Usage: jobdeck campaign show <id> [--format table|json] [--show-secrets]

Shows what to check before resuming a campaign: its position (next_start_position), batches and
item jobs by state, items processed more than once (duplicates), positions below
next_start_position without a completed item (gaps), and failed items.

Options:
  --format F    table (default): a summary for people, with the latest batches, duplicates and
                failed items; json: the whole aggregate as one JSON object (snake_case keys,
                ISO 8601 times), exactly as the HTTP API returns it
  --show-secrets  print params values of keys named in JOBDECK_REDACT_KEYS as stored; without
                it they are "••••"

Text from the campaign and its jobs (names, kinds, errors, item keys) is printed with control
characters escaped (\\u001b, \\r, \\n).

Exit codes: 0 shown; 1 no such campaign; 2 bad usage.

Examples:
  jobdeck campaign show 7
  jobdeck campaign show 7 --format json | jq '.gaps'`,

  async run(args) {
    const { values, positionals } = parseOptions(args, { format: { type: "string" }, "show-secrets": { type: "boolean" } }, { positionals: true });
    const id = oneId(positionals, "jobdeck campaign show <id>");
    const format = values.format ?? "table";
    if (format !== "table" && format !== "json") throw usageError(`--format must be table or json (got "${format}")`);
    const aggregate = await withDb((db) => getCampaignAggregate(db, id));
    if (!aggregate) throw new CliError(`campaign ${id} does not exist`, EXIT_FAILURE);
    const r = redaction(values["show-secrets"] === true);
    const shown = { ...aggregate, campaign: { ...aggregate.campaign, params: r.json(aggregate.campaign.params) } };
    out(format === "json" ? `${jsonLine(shown)}\n` : renderCampaign(shown));
  },
};
