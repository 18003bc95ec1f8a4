// lib/redact.ts: the one function every payload and result on screen goes through.
import { describe, expect, it } from "vitest";
import { DEFAULT_REDACT_KEYS, REDACTED, redactJson, redactKeys } from "../../lib/redact";

describe("payload redaction", () => {
  it("hides the default keys at any depth, case-insensitively, and leaves the rest", () => {
    const payload = {
      password: "hunter2",
      nested: { Token: "x", deeper: [{ AUTHORIZATION: "Bearer abc", keep: 1 }, { list: [{ Secret: { any: "shape" } }] }] },
      user: "alice",
      count: 3,
      none: null,
    };
    const out = redactJson(payload, redactKeys(undefined));
    expect(out).toEqual({
      password: REDACTED,
      nested: { Token: REDACTED, deeper: [{ AUTHORIZATION: REDACTED, keep: 1 }, { list: [{ Secret: REDACTED }] }] },
      user: "alice",
      count: 3,
      none: null,
    });
    expect(JSON.stringify(out)).not.toContain("hunter2");
    // The input is untouched.
    expect(payload.password).toBe("hunter2");
  });

  it("matches whole key names only, and leaves scalars and arrays of scalars alone", () => {
    expect(redactJson({ tokens_used: 5, password_hint: "pet" })).toEqual({ tokens_used: 5, password_hint: "pet" });
    expect(redactJson("password")).toBe("password");
    expect(redactJson([1, "token"])).toEqual([1, "token"]);
    expect(redactJson(null)).toBeNull();
  });

  it("reads JOBDECK_REDACT_KEYS: a custom list replaces the defaults, an empty one turns it off", () => {
    expect([...redactKeys(undefined)]).toEqual([...DEFAULT_REDACT_KEYS]);
    const custom = redactKeys(" API_KEY , ssn ,,");
    expect([...custom]).toEqual(["api_key", "ssn"]);
    expect(redactJson({ Api_Key: "k", password: "p", a: { SSN: "1" } }, custom)).toEqual({ Api_Key: REDACTED, password: "p", a: { SSN: REDACTED } });
    expect(redactJson({ password: "p" }, redactKeys(""))).toEqual({ password: "p" });
  });

  it("uses the environment when no keys are passed", () => {
    const before = process.env.JOBDECK_REDACT_KEYS;
    try {
      process.env.JOBDECK_REDACT_KEYS = "card";
      expect(redactJson({ card: "4111", password: "p" })).toEqual({ card: REDACTED, password: "p" });
      delete process.env.JOBDECK_REDACT_KEYS;
      expect(redactJson({ card: "4111", password: "p" })).toEqual({ card: "4111", password: REDACTED });
    } finally {
      if (before === undefined) delete process.env.JOBDECK_REDACT_KEYS;
      else process.env.JOBDECK_REDACT_KEYS = before;
    }
  });
});
