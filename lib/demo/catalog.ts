// The demo's job kinds, queues and realistic payloads, shared by the producer and the seed.
import { between, chance, hex, pick } from "./util";

export const DEMO_QUEUES = ["default", "media", "reports"] as const;

export const DEMO_CAMPAIGN = {
  name: "Catalog import: acme-products-2025-06.csv",
  kind: "ingest_catalog",
  queue: "default",
  batchSize: 100,
  totalItems: 10_000,
  source: "s3://acme-catalog/exports/acme-products-2025-06.csv",
  /** This item is sent twice (an upstream re-send): the campaign shows exactly one duplicate. */
  duplicatePosition: 42,
  /** This item's row is malformed and dead-letters: the campaign shows exactly one gap. */
  gapPosition: 137,
} as const;

export const itemKeyFor = (position: number) => `sku-${String(position + 1).padStart(6, "0")}`;

const customers = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"];
const templates = ["welcome", "password_reset", "invoice_ready", "weekly_digest", "order_shipped"];
const events = ["order.paid", "order.refunded", "invoice.created", "subscription.renewed", "user.deleted"];

export type DemoKind = "send_email" | "resize_image" | "generate_report" | "deliver_webhook" | "index_document";

export interface DemoJob {
  kind: DemoKind;
  queue: string;
  payload: Record<string, unknown>;
  maxAttempts: number;
}

/** Emails to this domain are rejected as invalid recipients (dead-lettered at once). */
export const INVALID_EMAIL_DOMAIN = "example.invalid";
/** Webhook endpoints under this path always reset the connection: they exhaust into `dead`. */
export const BROKEN_WEBHOOK_PATH = "/legacy-crm/";

export function randomDemoJob(kind: DemoKind = pick(["send_email", "send_email", "deliver_webhook", "deliver_webhook", "index_document", "resize_image", "resize_image", "generate_report"] as const)): DemoJob {
  const customer = pick(customers);
  switch (kind) {
    case "send_email":
      return {
        kind,
        queue: "default",
        maxAttempts: 5,
        payload: {
          to: chance(0.05) ? `ops+${hex(4)}@${INVALID_EMAIL_DOMAIN}` : `${pick(["maria", "li.wei", "sam", "olu", "priya", "jonas"])}.${hex(3)}@${customer}.com`,
          template: pick(templates),
          locale: pick(["en-US", "de-DE", "fr-FR", "ja-JP"]),
        },
      };
    case "deliver_webhook":
      return {
        kind,
        queue: "default",
        maxAttempts: 4,
        payload: {
          endpoint: chance(0.06)
            ? `https://hooks.example.com${BROKEN_WEBHOOK_PATH}${customer}`
            : `https://hooks.example.com/${customer}/events`,
          event: pick(events),
          delivery_id: `dlv_${hex(12)}`,
        },
      };
    case "index_document":
      return {
        kind,
        queue: "default",
        maxAttempts: 5,
        payload: { doc_id: `doc_${hex(10)}`, index: "docs-v3", tenant: customer },
      };
    case "resize_image":
      return {
        kind,
        queue: "media",
        maxAttempts: 3,
        payload: {
          asset_id: `ast_${hex(10)}`,
          source: `s3://jobdeck-demo-uploads/${customer}/${hex(8)}.${chance(0.04) ? "heic" : pick(["jpg", "png", "webp"])}`,
          sizes: [160, 640, 1280, 2048].slice(0, Math.ceil(between(1, 4))),
        },
      };
    case "generate_report":
      return {
        kind,
        queue: "reports",
        maxAttempts: 3,
        payload: {
          report: pick(["monthly_revenue", "churn_cohorts", "usage_by_seat", "ar_aging"]),
          account_id: `acct_${hex(6)}`,
          period: pick(["2025-04", "2025-05", "2025-06"]),
          format: pick(["pdf", "csv"]),
        },
      };
  }
}
