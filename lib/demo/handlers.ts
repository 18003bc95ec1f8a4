// Handlers of the demo's job kinds: realistic latencies, progress, transient errors that retry
// and then succeed, permanent errors that dead-letter at once, and a campaign that ingests a
// catalog in batches with back-pressure.
import type { Database } from "../../db/client";
import { enqueueMany } from "../queue";
import { type Handlers, PermanentError } from "../worker/types";
import { BROKEN_WEBHOOK_PATH, DEMO_CAMPAIGN, INVALID_EMAIL_DOMAIN, itemKeyFor } from "./catalog";
import { DemoError, between, chance, sleep } from "./util";

type Payload = Record<string, unknown>;
const str = (v: unknown) => String(v ?? "");

/** Most children the campaign lets wait at once; a batch waits before adding more. */
const MAX_OPEN_CHILDREN = 120;

export function createDemoHandlers(db: Database): Handlers {
  return {
    async send_email(payload, ctx) {
      const p = payload as Payload;
      await sleep(between(60, 260), ctx.signal);
      if (str(p.to).endsWith(`@${INVALID_EMAIL_DOMAIN}`)) {
        throw new PermanentError(`invalid recipient address <${str(p.to)}>: domain has no MX record`);
      }
      if (chance(0.06)) throw new DemoError("SMTPError", "421 4.7.0 smtp.mailrelay.example.net: try again later, closing connection");
      return { message_id: `<${Date.now().toString(36)}@mailrelay.example.net>`, template: p.template };
    },

    async deliver_webhook(payload, ctx) {
      const p = payload as Payload;
      const endpoint = str(p.endpoint);
      await sleep(between(40, 380), ctx.signal);
      if (endpoint.includes(BROKEN_WEBHOOK_PATH)) {
        throw new DemoError("ECONNRESET", `socket hang up while calling ${endpoint} (attempt ${ctx.job.attempt}/${ctx.job.maxAttempts})`);
      }
      // First attempts fail often; later attempts mostly succeed: retries that recover.
      if (chance(ctx.job.attempt === 1 ? 0.22 : 0.08)) {
        if (chance(0.5)) throw new DemoError("ECONNRESET", `socket hang up while calling ${endpoint}`);
        throw new DemoError("HTTPError", `503 Service Unavailable from ${endpoint} (retry-after: 5)`);
      }
      return { status: 200, endpoint, duration_ms: Math.round(between(40, 380)) };
    },

    async index_document(payload, ctx) {
      const p = payload as Payload;
      await sleep(between(80, 450), ctx.signal);
      if (chance(0.05)) {
        throw new DemoError("ResponseError", `cluster_block_exception: index [${str(p.index)}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark]`);
      }
      return { indexed: true, doc_id: p.doc_id, shards: 3 };
    },

    async resize_image(payload, ctx) {
      const p = payload as Payload;
      const source = str(p.source);
      if (source.endsWith(".heic")) throw new PermanentError(`unsupported image format image/heic: ${source}`);
      const sizes = Array.isArray(p.sizes) ? (p.sizes as number[]) : [640];
      for (let i = 0; i < sizes.length; i++) {
        ctx.progress(i / sizes.length, `resizing to ${sizes[i]}px`);
        await sleep(between(250, 900), ctx.signal);
      }
      if (chance(0.04)) throw new DemoError("Error", `ENOSPC: no space left on device, write '/tmp/render/${str(p.asset_id)}.tmp'`);
      return { variants: sizes.map((s) => `${source.replace(/\.\w+$/, "")}_${s}.webp`) };
    },

    async generate_report(payload, ctx) {
      const p = payload as Payload;
      const steps = ["querying warehouse", "aggregating", "rendering", "uploading"];
      for (let i = 0; i < steps.length; i++) {
        ctx.progress(i / steps.length, steps[i]);
        await sleep(between(500, 1_600), ctx.signal);
        if (steps[i] === "rendering" && chance(0.14)) {
          throw new DemoError("TimeoutError", `render exceeded 30s for report ${str(p.report)} (${str(p.period)})`);
        }
      }
      return { url: `https://reports.example.com/${str(p.account_id)}/${str(p.report)}-${str(p.period)}.${str(p.format) || "pdf"}` };
    },

    // A campaign batch: waits while too many items are open (back-pressure), enqueues its items,
    // and reports where the next batch starts.
    async ingest_catalog(_payload, ctx) {
      const batch = ctx.batch;
      if (!batch) throw new PermanentError("ingest_catalog must run as a campaign batch");
      const total = Number(batch.params.total_items ?? DEMO_CAMPAIGN.totalItems);
      const start = batch.startPosition;
      const end = Math.min(start + batch.batchSize, total);
      for (;;) {
        const [row] = await db.query<{ open: number }>(
          `select count(*) as open from jobs where campaign_id = $1 and parent_id is not null
           and state in ('pending', 'running', 'failed')`,
          [ctx.job.campaignId],
        );
        if (Number(row?.open ?? 0) < MAX_OPEN_CHILDREN) break;
        ctx.progress(0, `waiting: ${row.open} items still open`);
        await sleep(1_500, ctx.signal);
      }
      ctx.progress(0.5, `reading rows ${start + 1}–${end} of ${str(batch.params.source)}`);
      await sleep(between(200, 600), ctx.signal);
      const children = [];
      for (let pos = start; pos < end; pos++) {
        children.push({ itemKey: itemKeyFor(pos), position: pos, priority: -10, payload: { row: pos + 1, sku: itemKeyFor(pos) } });
      }
      const { inserted } = await batch.enqueueChildren(children);
      // The upstream export sent one row twice. enqueueChildren dedupes item keys, so the resend
      // goes straight through enqueueMany, as a buggy producer would; only once per campaign.
      const dup = DEMO_CAMPAIGN.duplicatePosition;
      if (dup >= start && dup < end) {
        const [seen] = await db.query<{ n: number }>(
          "select count(*) as n from jobs where campaign_id = $1 and item_key = $2",
          [ctx.job.campaignId, itemKeyFor(dup)],
        );
        if (Number(seen?.n ?? 0) < 2) {
          await enqueueMany(db, [{
            kind: "ingest_catalog.item",
            queue: ctx.job.queue,
            priority: -10,
            campaignId: ctx.job.campaignId!,
            parentId: ctx.job.id,
            itemKey: itemKeyFor(dup),
            position: dup,
            payload: { row: dup + 1, sku: itemKeyFor(dup), resent_by: "upstream export retry" },
          }]);
        }
      }
      batch.reportNextStartPosition({ nextStartPosition: end, totalItems: total, done: end >= total });
      return { rows: end - start, enqueued: inserted.length };
    },

    async "ingest_catalog.item"(payload, ctx) {
      const p = payload as Payload;
      await sleep(between(120, 420), ctx.signal);
      if (ctx.job.position === DEMO_CAMPAIGN.gapPosition) {
        throw new PermanentError(`invalid row ${str(p.row)}: column "price" is not a number ('12,99')`);
      }
      return { upserted: str(p.sku) };
    },
  };
}
