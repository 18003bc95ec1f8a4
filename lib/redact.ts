// Secret masking for job data wherever it leaves Jobdeck: keys named in JOBDECK_REDACT_KEYS
// (comma-separated, default `password,secret,token,authorization`) are compared case-insensitively
// at any depth of a JSON value (objects inside objects and arrays), and their values are replaced
// by "••••". Payloads, results and campaign params are masked for every caller unless
// maySeeSecrets() (lib/auth/caller) says otherwise — pages, API, exports and CLI all ask
// `redaction(show)` here. Audit rows are masked for everyone (redactAuditValue). Plain module: the
// CLI and client-free server components use it.
export const REDACTED = "••••";
export const DEFAULT_REDACT_KEYS = ["password", "secret", "token", "authorization"] as const;
/** Response header of every API response that carries job data: `true` when values are masked. */
export const REDACTED_HEADER = "x-jobdeck-redacted";

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
  return mask(value, keys, false);
}

/**
 * An audit row's filter or details, masked for everyone: like redactJson, and JSON text inside a
 * string value (a `payload` filter is stored as `{"token":"…"}` text) is masked too.
 */
export function redactAuditValue(value: unknown, keys: ReadonlySet<string> = redactKeys()): unknown {
  return mask(value, keys, true);
}

function mask(value: unknown, keys: ReadonlySet<string>, inText: boolean): unknown {
  if (keys.size === 0) return value;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return maskLiteralText(inText ? maskJsonText(v, (x) => walk(x, depth + 1)) : v, keys);
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

/** `{"token":"abc"}` → `{"token":"••••"}`; text that is not a JSON object or array is returned as it is. */
function maskJsonText(text: string, walk: (v: unknown) => unknown): string {
  const t = text.trimStart();
  if (!t.startsWith("{") && !t.startsWith("[")) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const out = JSON.stringify(walk(parsed));
  return out === JSON.stringify(parsed) ? text : out;
}

const OPENERS: Record<string, string> = { "[": "]", "{": "}", "(": ")" };

/** Where the Python or JSON literal starting at `i` ends (exclusive): a quoted string, a bracketed value, or a bare word. */
function literalEnd(text: string, i: number): number {
  const quoted = /^[bBrRuU]{0,2}(['"])/.exec(text.slice(i, i + 3));
  if (quoted) {
    const q = quoted[1];
    for (let j = i + quoted[0].length; j < text.length; j++) {
      if (text[j] === "\\") j++;
      else if (text[j] === q) return j + 1;
    }
    return text.length;
  }
  if (OPENERS[text[i]]) {
    const stack: string[] = [];
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === "'" || c === '"') j = literalEnd(text, j) - 1;
      else if (OPENERS[c]) stack.push(OPENERS[c]);
      else if (c === stack[stack.length - 1]) {
        stack.pop();
        if (!stack.length) return j + 1;
      }
    }
    return text.length;
  }
  const m = /[,}\])]/.exec(text.slice(i));
  return m ? i + m.index : text.length;
}

/**
 * `{'token': 'abc', 'user': 'bob'}` → `{'token': '••••', 'user': 'bob'}`: the value of every
 * quoted key in `keys` inside literal text (a Python repr, as Celery records a task's kwargs, or
 * JSON that does not parse), whatever shape the value has. Other text is returned as it is.
 */
export function maskLiteralText(text: string, keys: ReadonlySet<string>): string {
  if (keys.size === 0 || !/^\s*[[{(]/.test(text)) return text;
  const key = /(['"])((?:(?!\1)[^\\\n])*)\1\s*:\s*/g;
  let out = "";
  let from = 0;
  for (let m = key.exec(text); m; m = key.exec(text)) {
    if (!keys.has(m[2].toLowerCase())) continue;
    const start = m.index + m[0].length;
    const end = literalEnd(text, start);
    // The key's own quote: JSON text stays JSON.
    out += `${text.slice(from, start)}${m[1]}${REDACTED}${m[1]}`;
    from = end;
    key.lastIndex = end;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** What one reader gets: masked job data (`redacted`) or the stored values. */
export interface Redaction {
  /** True when values under JOBDECK_REDACT_KEYS are replaced by "••••" (false when there are no keys). */
  readonly redacted: boolean;
  /** `value` as this reader may see it. */
  json<T>(value: T): T;
  /** `{ "x-jobdeck-redacted": "true" | "false" }` for an HTTP response. */
  readonly headers: Record<string, string>;
}

/** The masking for a reader who may (`showSecrets`) or may not see secret values. */
export function redaction(showSecrets: boolean, keys: ReadonlySet<string> = redactKeys()): Redaction {
  const redacted = !showSecrets && keys.size > 0;
  return {
    redacted,
    json: <T>(value: T) => (redacted ? (redactJson(value, keys) as T) : value),
    headers: { [REDACTED_HEADER]: String(redacted) },
  };
}
