// Job data is written by producers and handlers, not by the operator reading it: a kind, a queue,
// a last_error, a campaign name or an item key can hold terminal control sequences (ESC [2J
// clears the screen, \r overwrites a line, OSC sets the window title, 8-bit CSI …). The CLI's
// human output shows them as visible escapes (\u001b, \r, \n) — one row per job, nothing a
// terminal acts on — and its NDJSON/JSON output escapes them too, so a `| less -R` or a `cat` of
// a saved file is as safe as the table. The values survive a JSON round trip unchanged.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiToken } from "../../lib/auth/tokens";
import { createCampaign } from "../../lib/queue/campaigns";
import { lines, runCli } from "../fixtures/cli-run";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

const KIND = "evil\u001b[2J\rkind\nnext\u009b31m";
const QUEUE = "q\u001b[31mred";
const ERROR = "boom\u001b[2J\rhidden\u0007\nsecond line";
const WORKER = "w\u001b]0;pwned\u0007";

// Anything a terminal may act on: C0 controls (but the output's own line ends), DEL, C1.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let t: TestDatabase;
let jobId: number;
let campaignId: number;

beforeAll(async () => {
  t = await createTestDatabase("cli_control_chars");
  const [j] = await t.db.query<{ id: number }>(
    `insert into jobs (kind, queue, state, attempts, last_error, finished_at) values ($1, $2, 'dead', 3, $3, now()) returning id`,
    [KIND, QUEUE, ERROR],
  );
  jobId = j.id;
  await t.db.query(`insert into jobs (kind, queue, state, attempts, locked_by, locked_until, started_at) values ('plain', 'plain', 'running', 1, $1, now() + interval '1 minute', now())`, [WORKER]);
  const c = await t.db.tx((q) => createCampaign(q, { name: "cat\u001b[2Jalog", kind: "ingest\rbatch", queue: QUEUE, batchSize: 10, params: { note: "x\u001b[8m" }, createdBy: "cli:\u001b[2Jmallory" }));
  campaignId = c.campaignId;
  await t.db.query("update jobs set state = 'dead', last_error = $2, finished_at = now() where id = $1", [c.batchJobId, ERROR]);
  await t.db.query(
    `insert into jobs (kind, queue, state, attempts, last_error, campaign_id, parent_id, item_key, position, finished_at)
     values ('ingest_item', 'catalog', 'dead', 5, $1, $2, $3, $4, 0, now())`,
    [ERROR, campaignId, c.batchJobId, "item\u001b]0;pwned\u0007"],
  );
  await createApiToken(t.db, { name: "bot\u001b[2J", owner: "ops\r@example.com", scopes: ["jobs:read"], actor: { name: "test" } });
});
afterAll(async () => t?.drop());

test("jobs list (table): control characters in kind, queue and last_error are shown escaped, one line per job", async () => {
  const r = await runCli(t.url, ["jobs", "list", "--state", "dead", "--kind", KIND]);
  expect(r.code).toBe(0);
  expect(r.stdout).not.toMatch(CONTROL);
  const out = lines(r.stdout);
  expect(out).toHaveLength(2); // header + the one dead job, whatever its kind holds
  expect(out[1]).toMatch(new RegExp(`^\\s*${jobId}\\s`));
  expect(out[1]).toContain("evil\\u001b[2J\\rkind\\nnext\\u009b31m");
  expect(out[1]).toContain("q\\u001b[31mred");
  // LAST ERROR is the first line of the error, its control characters escaped.
  expect(out[1]).toContain("boom\\u001b[2J\\rhidden\\u0007");
  expect(out[1]).not.toContain("second line");
});

test("jobs list --format ndjson: no raw control character on stdout, and the values parse back unchanged", async () => {
  const r = await runCli(t.url, ["jobs", "list", "--format", "ndjson"]);
  expect(r.code).toBe(0);
  expect(r.stdout).not.toMatch(CONTROL);
  const jobs = lines(r.stdout).map((l) => JSON.parse(l));
  expect(jobs.find((j) => j.id === jobId)).toMatchObject({ kind: KIND, queue: QUEUE, last_error: ERROR });
  expect(jobs.find((j) => j.kind === "plain")).toMatchObject({ locked_by: WORKER });
});

test("campaign show (table and json): name, kind, creator, params, batch and item errors and item keys are escaped", async () => {
  const table = await runCli(t.url, ["campaign", "show", String(campaignId)]);
  expect(table.code).toBe(0);
  expect(table.stdout).not.toMatch(CONTROL);
  expect(table.stdout).toContain("cat\\u001b[2Jalog");
  expect(table.stdout).toContain("ingest\\rbatch");
  expect(table.stdout).toContain("cli:\\u001b[2Jmallory");
  expect(table.stdout).toContain("item\\u001b]0;pwned\\u0007");
  expect(table.stdout).toContain("boom\\u001b[2J\\rhidden");
  const json = await runCli(t.url, ["campaign", "show", String(campaignId), "--format", "json"]);
  expect(json.stdout).not.toMatch(CONTROL);
  expect(JSON.parse(json.stdout).campaign.name).toBe("cat\u001b[2Jalog");
});

test("tokens list: a token's name and owner are escaped in the text and the --json output", async () => {
  for (const args of [["tokens", "list"], ["tokens", "list", "--json"]]) {
    const r = await runCli(t.url, args);
    expect(r.code, args.join(" ")).toBe(0);
    // Fields are tab-separated in the text form: the only control character allowed there.
    expect(r.stdout.replace(/\t/g, " "), args.join(" ")).not.toMatch(CONTROL);
  }
  expect((await runCli(t.url, ["tokens", "list"])).stdout).toContain("bot\\u001b[2J");
});

test("an error message that quotes its input on stderr is escaped too", async () => {
  const r = await runCli(t.url, ["jobs", "list", "--format", "\u001b[2Jtable"]);
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(CONTROL);
  expect(r.stderr).toContain("\\u001b[2Jtable");
});
