// lib/redact.ts: the masking every payload, result and campaign params value leaving Jobdeck goes
// through, and lib/auth/caller maySeeSecrets(): the one rule of who sees the stored values.
import { describe, expect, it } from "vitest";
import { type Caller, maySeeSecrets } from "../../lib/auth/caller";
import { DEFAULT_REDACT_KEYS, REDACTED, redactAuditValue, redaction, redactJson, redactKeys } from "../../lib/redact";

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

describe("who sees secret values", () => {
  const session = (role: Caller["roles"][number]): Caller => ({ name: `${role}@example.com`, roles: [role], source: "session" });
  const token = (scopes: NonNullable<Caller["scopes"]>, roles: Caller["roles"]): Caller => ({ name: "token:t", roles, scopes, source: "token" });

  it("admins and jobs:read-secrets tokens; not viewers, operators, plain tokens or nobody", () => {
    expect(maySeeSecrets(session("admin"))).toBe(true);
    expect(maySeeSecrets(token(["jobs:read", "admin"], ["admin"]))).toBe(true);
    expect(maySeeSecrets(token(["jobs:read", "jobs:read-secrets"], ["viewer"]))).toBe(true);
    expect(maySeeSecrets(session("viewer"))).toBe(false);
    expect(maySeeSecrets(session("operator"))).toBe(false);
    expect(maySeeSecrets(token(["jobs:read"], ["viewer"]))).toBe(false);
    expect(maySeeSecrets(token(["jobs:read", "jobs:write"], ["operator"]))).toBe(false);
    expect(maySeeSecrets(null)).toBe(false);
  });

  it("redaction() masks (and says so in its header) only for readers who may not see them", () => {
    const keys = redactKeys(undefined);
    const masked = redaction(false, keys);
    expect(masked.redacted).toBe(true);
    expect(masked.headers).toEqual({ "x-jobdeck-redacted": "true" });
    expect(masked.json({ token: "t", a: 1 })).toEqual({ token: REDACTED, a: 1 });
    const raw = redaction(true, keys);
    expect(raw.headers).toEqual({ "x-jobdeck-redacted": "false" });
    expect(raw.json({ token: "t" })).toEqual({ token: "t" });
    // No keys configured: nothing is masked, and the header says so.
    expect(redaction(false, redactKeys("")).headers).toEqual({ "x-jobdeck-redacted": "false" });
  });
});

describe("audit values", () => {
  it("masks secrets inside JSON text held in a string (a stored payload filter), at any depth", () => {
    const filter = { state: "dead", payload: '{"token":"abc","user":"bob","n":{"Password":"p"}}' };
    const out = redactAuditValue(filter, redactKeys(undefined)) as typeof filter;
    expect(out.state).toBe("dead");
    expect(JSON.parse(out.payload)).toEqual({ token: REDACTED, user: "bob", n: { Password: REDACTED } });
    expect(filter.payload).toContain("abc");
  });

  it("leaves text that is not JSON, or holds nothing secret, exactly as it was", () => {
    const keys = redactKeys(undefined);
    expect(redactAuditValue({ payload: '{ "user_id": 42 }', kind: "{not json" }, keys)).toEqual({ payload: '{ "user_id": 42 }', kind: "{not json" });
    expect(redactAuditValue(null, keys)).toBeNull();
    expect(redactAuditValue({ token: "x" }, redactKeys(""))).toEqual({ token: "x" });
  });
});
