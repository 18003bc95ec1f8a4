// A JSON value pretty-printed as text (React escapes it: user data is never HTML), scrollable,
// cut at a size a browser renders comfortably, with the cut said out loud.
const MAX_CHARS = 200_000;

export function prettyJson(value: unknown): string {
  if (value === undefined) return "";
  try {
    return JSON.stringify(value, null, 2) ?? "null";
  } catch {
    return String(value);
  }
}

export function JsonBlock({ value, label, testId }: { value: unknown; label: string; testId?: string }) {
  const text = prettyJson(value);
  const cut = text.length > MAX_CHARS;
  return (
    <div>
      <pre
        data-testid={testId}
        tabIndex={0}
        aria-label={label}
        className="max-h-[28rem] overflow-auto whitespace-pre-wrap break-words rounded border border-border bg-bg px-3 py-2 font-mono text-xs leading-relaxed"
      >
        {cut ? text.slice(0, MAX_CHARS) : text}
      </pre>
      {cut ? (
        <p className="mt-1 text-xs text-muted">
          Showing the first {MAX_CHARS.toLocaleString("en-US")} of {text.length.toLocaleString("en-US")} characters.
        </p>
      ) : null}
    </div>
  );
}
