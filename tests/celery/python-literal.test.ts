// The args/kwargs reprs Celery's saferepr writes, read back only when that is unambiguous.
import { expect, test } from "vitest";
import { argsJson, kwargsJson, parsePythonLiteral } from "../../lib/celery/python-literal";

test("simple literals become JSON values", () => {
  expect(argsJson("[1, 2]")).toEqual([1, 2]);
  expect(argsJson("('k',)")).toEqual(["k"]);
  expect(argsJson("()")).toEqual([]);
  expect(kwargsJson("{}")).toEqual({});
  expect(kwargsJson("{'a': None, 'b': [True, False], 'c': {'d': -3.5e-07}}")).toEqual({ a: null, b: [true, false], c: { d: -3.5e-7 } });
  expect(argsJson("['don\\'t', \"it's\", 'é\n']")).toEqual(["don't", "it's", "é\n"]);
  expect(parsePythonLiteral("0.25")).toBe(0.25);
});

test("anything ambiguous is not known", () => {
  for (const repr of [
    "['xxxxx...', ...]", // cut by saferepr
    "[[[...]]]", // too deep for saferepr
    "[1.0]", // JSON would give back 1 (an int)
    "[100000000000000000000]", // beyond 2^53
    "[inf]", "[nan]", "{1: 'a'}", "{'a': {2, 3}}", "set()", "[b'by']", "[Decimal('1.5')]", "[<object at 0x1>]",
    "['a\\b']", // saferepr does not escape backslashes
    "['a\\', 'b']", // a string ending in a backslash, or an escaped quote?
    "[1, 2", "[1 2]", "{'a' 1}", "{'a': 1, 'a': 2}", "[true]", "[0x10]", "[1_000]", "[1j]", "",
  ]) {
    expect(parsePythonLiteral(repr), repr).toBeUndefined();
  }
  expect(argsJson("{'a': 1}")).toBeNull();
  expect(kwargsJson("[1]")).toBeNull();
});
