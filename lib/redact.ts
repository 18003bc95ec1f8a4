// Payload redaction for display: keys named in JOBDECK_REDACT_KEYS (comma-separated, default
// `password,secret,token,authorization`) are compared case-insensitively at any depth of a JSON
// value (objects inside objects and arrays), and their values are replaced by "••••". Every place
// the UI shows a payload or a result goes through redactJson(); the HTTP API returns the stored
// data unchanged (its callers hold a jobs:read token and may need the real values).
export const REDACTED = "••••";
export const DEFAULT_REDACT_KEYS = ["password", "secret", "token", "authorization"] as const;

/** The key names to redact, lower-cased: from `value` (JOBDECK_REDACT_KEYS), or the defaults when unset. */
export function redactKeys(value: string | undefined = process.env.JOBDECK_REDACT_KEYS): ReadonlySet<string> {
  // Unset means the defaults; set (even to "") means exactly that list, so `JOBDECK_REDACT_KEYS=` turns it off.
  if (value === undefined) return new Set(DEFAULT_REDACT_KEYS);
  return new Set(
    value
      .split(",")
      .map((k) => k.trim().toLowerCase())
      .filter(Boolean),
  );
}

/**
 * A copy of `value` with the value of every object key in `keys` (case-insensitive) replaced by
 * "••••", at any depth. The input is never modified; non-JSON leaves are returned as they are.
 */
export function redactJson(value: unknown, keys: ReadonlySet<string> = redactKeys()): unknown {
  if (keys.size === 0) return value;
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== "object") return v;
    // Deeper than any real payload: hide it rather than risk showing a secret.
    if (depth > 1_000) return REDACTED;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v instanceof Date) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[k] = keys.has(k.toLowerCase()) ? REDACTED : walk(x, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
}
