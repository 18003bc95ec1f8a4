// The Jobs page's "N jobs match": exact up to the cap, "more than cap" beyond, on the filter.
import { afterAll, beforeAll, expect, test } from "vitest";
import { parseJobFilter } from "../../lib/filters/job-filter";
import { countJobsCapped } from "../../lib/queries/jobs";
import { enqueueMany } from "../../lib/queue";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("queries_count_capped");
  await enqueueMany(t.db, [
    ...Array.from({ length: 30 }, () => ({ kind: "count_a" })),
    ...Array.from({ length: 7 }, () => ({ kind: "count_b", queue: "other" })),
  ]);
});
afterAll(async () => t?.drop());

test("counts exactly up to the cap and says 'capped' beyond it, honouring the filter", async () => {
  expect(await countJobsCapped(t.db, parseJobFilter({}), 100)).toEqual({ value: 37, capped: false });
  expect(await countJobsCapped(t.db, parseJobFilter({}), 37)).toEqual({ value: 37, capped: false });
  expect(await countJobsCapped(t.db, parseJobFilter({}), 36)).toEqual({ value: 36, capped: true });
  expect(await countJobsCapped(t.db, parseJobFilter({ kind: "count_b" }), 100)).toEqual({ value: 7, capped: false });
  expect(await countJobsCapped(t.db, parseJobFilter({ queue: "other", state: "dead" }), 100)).toEqual({ value: 0, capped: false });
});
