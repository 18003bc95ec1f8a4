// The CLI reads the database as a local operator, and still masks secrets by default: payload
// keys named in JOBDECK_REDACT_KEYS come out as "••••" from `jobs list` (NDJSON) and campaign
// params from `campaign show` (table and JSON); --show-secrets prints the stored values. The
// "rerun what failed" pipe keeps working on redacted lines (retry reads only the ids).
import { afterAll, beforeAll, expect, test } from "vitest";
import { createCampaign } from "../../lib/queue/campaigns";
import { lines, runCli, runPipeline } from "../fixtures/cli-run";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

const PW = "pw-CLI-SECRET";
const TOK = "tok-CLI-SECRET";
const CAMP = "camp-CLI-SECRET";
const MASK = "••••";

let t: TestDatabase;
let jobId: number;
let campaignId: number;

beforeAll(async () => {
  t = await createTestDatabase("cli_redaction");
  const [j] = await t.db.query<{ id: number }>(
    `insert into jobs (kind, queue, state, attempts, payload, last_error, finished_at)
     values ('deliver_webhook', 'hooks', 'dead', 5, $1, 'ECONNRESET', now()) returning id`,
    [JSON.stringify({ url: "https://hooks.example.com", password: PW, headers: [{ Authorization: TOK }] })],
  );
  jobId = j.id;
  campaignId = (await t.db.tx((q) => createCampaign(q, { name: "reindex", kind: "reindex_batch", batchSize: 10, params: { token: CAMP, index: "products" }, createdBy: "test" }))).campaignId;
});
afterAll(async () => t?.drop());

test("jobs list --format ndjson masks payload secrets by default", async () => {
  const r = await runCli(t.url, ["jobs", "list", "--kind", "deliver_webhook", "--format", "ndjson"]);
  expect(r.code).toBe(0);
  expect(r.stdout).not.toContain(PW);
  expect(r.stdout).not.toContain(TOK);
  const [job] = lines(r.stdout).map((l) => JSON.parse(l));
  expect(job).toMatchObject({ id: jobId, payload: { url: "https://hooks.example.com", password: MASK, headers: [{ Authorization: MASK }] } });
});

test("jobs list --show-secrets prints the stored payload", async () => {
  const r = await runCli(t.url, ["jobs", "list", "--kind", "deliver_webhook", "--format", "ndjson", "--show-secrets"]);
  expect(r.code).toBe(0);
  const [job] = lines(r.stdout).map((l) => JSON.parse(l));
  expect(job.payload).toEqual({ url: "https://hooks.example.com", password: PW, headers: [{ Authorization: TOK }] });
});

test("campaign show masks the params in both formats unless --show-secrets", async () => {
  for (const format of ["table", "json"]) {
    const r = await runCli(t.url, ["campaign", "show", String(campaignId), "--format", format]);
    expect(r.code, format).toBe(0);
    expect(r.stdout, format).not.toContain(CAMP);
    expect(r.stdout, format).toContain(MASK);
    expect(r.stdout, format).toContain("products");
  }
  const json = JSON.parse((await runCli(t.url, ["campaign", "show", String(campaignId), "--format", "json"])).stdout);
  expect(json.campaign.params).toEqual({ token: MASK, index: "products" });
  const raw = await runCli(t.url, ["campaign", "show", String(campaignId), "--format", "json", "--show-secrets"]);
  expect(JSON.parse(raw.stdout).campaign.params).toEqual({ token: CAMP, index: "products" });
  const table = await runCli(t.url, ["campaign", "show", String(campaignId), "--show-secrets"]);
  expect(table.stdout).toContain(CAMP);
});

test("the NDJSON → retry pipe works on redacted lines", async () => {
  const r = await runPipeline(t.url, "jobdeck jobs list --state dead --kind deliver_webhook --format ndjson | jobdeck jobs retry --reason 'hooks back'");
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe("retried 1 job; skipped 0; not found: 0\n");
  expect(r.code).toBe(0);
  const [row] = await t.db.query<{ state: string; payload: unknown }>("select state, payload from jobs where id = $1", [jobId]);
  // Retrying never rewrites the payload with what the pipe carried.
  expect(row).toEqual({ state: "pending", payload: { url: "https://hooks.example.com", password: PW, headers: [{ Authorization: TOK }] } });
});
