// What the CLI prints of data it did not write itself (job kinds, queues, errors, worker ids,
// campaign names, item keys, token names): every human-readable path goes through printable(),
// so a control sequence stored in a job (ESC [2J clears the screen, \r rewrites a line, OSC sets
// the window title, bidi overrides reorder text) is shown as a visible escape and never acted on
// by the terminal. JSON output goes through jsonLine(): JSON.stringify escapes C0 controls
// already; DEL, C1 and bidi controls are legal raw in JSON, so they are escaped too (same value
// after parsing).

// C0 (line ends included), DEL, C1; the bidi marks, embeddings, overrides and isolates; U+2028/9.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const NON_JSON_ESCAPED = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** ESC, CR, LF, TAB → the six characters `\u001b`, `\r`, `\n`, `\t`: one line, nothing a terminal acts on. */
export function printable(s: string): string {
  return s.replace(CONTROL, (c) => NAMED[c] ?? unicodeEscape(c));
}

/** One JSON line (no trailing newline) with every control character escaped. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(NON_JSON_ESCAPED, unicodeEscape);
}
