// Reads the args/kwargs reprs of Celery's events back into real values, only when that is
// unambiguous. Celery writes them with celery.utils.saferepr: Python literals, strings in single
// quotes with only `'` escaped (`\'`) and backslashes left as they are, long values cut with
// "..." (then the text is no literal at all), nesting below 3 levels shown as `[...]`.
// Accepted: None/True/False, ints within ±2^53, finite non-integral floats, strings, lists and
// tuples (as arrays), dicts with string keys. Anything else (sets, bytes, Decimal, objects, big
// ints, 1.0 that JSON would turn into 1, a backslash we cannot read back for sure) → not known.
// What comes out is what an exact retry may re-send, so "not known" is the safe answer.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

class Ambiguous extends Error {}

class Reader {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  value(depth: number): JsonValue {
    if (depth > 32) throw new Ambiguous();
    this.ws();
    const c = this.s[this.i];
    if (c === "[") return this.seq("]", depth);
    if (c === "(") return this.seq(")", depth);
    if (c === "{") return this.dict(depth);
    if (c === "'" || c === '"') return this.string(c);
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["None", null], ["True", true], ["False", false]] as const) {
      if (this.s.startsWith(word, this.i) && !/[\w.]/.test(this.s[this.i + word.length] ?? "")) {
        this.i += word.length;
        return v;
      }
    }
    throw new Ambiguous();
  }

  seq(close: string, depth: number): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== close) throw new Ambiguous();
    }
  }

  dict(depth: number): { [k: string]: JsonValue } {
    this.i++;
    const out: { [k: string]: JsonValue } = {};
    for (;;) {
      this.ws();
      if (this.s[this.i] === "}") {
        this.i++;
        return out;
      }
      const q = this.s[this.i];
      if (q !== "'" && q !== '"') throw new Ambiguous(); // a key that is not a string
      const key = this.string(q);
      this.ws();
      if (this.s[this.i++] !== ":") throw new Ambiguous();
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new Ambiguous();
      out[key] = this.value(depth + 1);
      this.ws();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== "}") throw new Ambiguous();
    }
  }

  /** saferepr's `'…'` (only `\'` escaped), or a `"…"` without any backslash. */
  string(quote: string): string {
    this.i++;
    let out = "";
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) throw new Ambiguous();
      if (c === quote) {
        this.i++;
        return out;
      }
      if (c === "\\") {
        // saferepr does not escape backslashes: `\'` is an escaped quote, unless it may be a
        // string ending in a backslash followed by its closing quote (then a delimiter follows).
        // Any other backslash cannot be read back for sure.
        if (quote === "'" && this.s[this.i + 1] === "'" && !/^[\s,)\]}:]?$/.test(this.s[this.i + 2] ?? "")) {
          out += "'";
          this.i += 2;
          continue;
        }
        throw new Ambiguous();
      }
      out += c;
      this.i++;
    }
  }

  number(): number {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m) throw new Ambiguous();
    // `1.`, `1j`, `0x1`, `1_000`, `1...` (cut by saferepr): not a plain number.
    if (/[\w.]/.test(this.s[this.i + m[0].length] ?? "")) throw new Ambiguous();
    this.i += m[0].length;
    const n = Number(m[0]);
    const isFloat = m[2] !== undefined || m[3] !== undefined;
    if (isFloat) {
      // A float that JSON would write back as an int (1.0 → 1) changes type in Python: unknown.
      if (!Number.isFinite(n) || Number.isInteger(n)) throw new Ambiguous();
      return n;
    }
    if (!Number.isSafeInteger(n)) throw new Ambiguous();
    return n;
  }
}

/** The value of a Python-literal repr, or undefined when it is not unambiguously one. */
export function parsePythonLiteral(repr: string | null | undefined): JsonValue | undefined {
  if (typeof repr !== "string" || repr.length === 0 || repr.length > 1_000_000) return undefined;
  const r = new Reader(repr);
  try {
    const v = r.value(0);
    r.ws();
    return r.i === repr.length ? v : undefined;
  } catch (err) {
    if (err instanceof Ambiguous) return undefined;
    throw err;
  }
}

/** args: a list or tuple repr → array; kwargs: a dict repr → object; otherwise null. */
export function argsJson(repr: unknown): JsonValue[] | null {
  const v = typeof repr === "string" ? parsePythonLiteral(repr) : undefined;
  return Array.isArray(v) ? v : null;
}

export function kwargsJson(repr: unknown): { [k: string]: JsonValue } | null {
  const v = typeof repr === "string" ? parsePythonLiteral(repr) : undefined;
  return v && typeof v === "object" && !Array.isArray(v) ? v : null;
}
